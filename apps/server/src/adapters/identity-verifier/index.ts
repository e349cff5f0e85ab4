export type {
  IdentityVerifier,
  VerificationAnswer,
  VerificationRequest,
  VerificationResult,
} from './verifier.ts';
export { SandboxIdentityVerifier } from './sandbox.ts';
export { UnconfiguredIdentityVerifier } from './unconfigured.ts';
