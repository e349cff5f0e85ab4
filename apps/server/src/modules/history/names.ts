/** History's queue names, for its declaration (module.ts), which imports nothing that runs. */
export const HISTORY_JOBS = { project: 'history.project' } as const;

/** The outbox subscriber that describes entries again when a record follows its ledger batch. */
export const HISTORY_SUBSCRIBER = 'history.projection';
