/**
 * Background jobs on one PostgreSQL-backed queue (pg-boss, ADR 0013): a module declares its jobs
 * with `defineJob`, the composition root registers them on `app.jobs`, `qianbao migrate` creates
 * their queues and `qianbao jobs` shows what ran.
 */
export {
  DEFAULT_RETRY,
  JOB_TIME_ZONE,
  defineJob,
  describeSchedule,
  type JobContext,
  type JobDeclaration,
  type JobDefinition,
  type JobRetry,
  type JobSchedule,
} from './definition.ts';
export {
  Jobs,
  type JobLog,
  type JobObserver,
  type JobOutput,
  type JobTimings,
  type JobsOptions,
} from './jobs.ts';
export { migrateJobs } from './schema.ts';
export { JOBS_SCHEMA } from './boss-database.ts';
export {
  readJobsReport,
  readQueueDepths,
  type JobQueueStatus,
  type JobRun,
  type JobsReport,
  type RunState,
} from './report.ts';
