export { UnconfiguredSmsSender, type SmsMessage, type SmsSendResult, type SmsSender } from './sender.ts';
export {
  SandboxSmsSender,
  listSandboxMessages,
  smsSandboxMigrations,
  MAX_SANDBOX_MESSAGES_PER_READ,
  type SandboxMessage,
  type SandboxQuery,
} from './sandbox.ts';
export { sandboxSmsRoutes, type SandboxSmsRoutesOptions } from './dev-routes.ts';
