import { factorsOf } from './verifier.ts';
import type { IdentityVerifier, VerificationRequest, VerificationResult } from './verifier.ts';

/**
 * The verifier of a production server that has no licensed verification service configured yet:
 * every check is UNAVAILABLE, so no holder is raised to a real-name tier on an answer nobody gave.
 * The sandbox verifier answers MATCH to any well-formed name and ID number; in production that
 * would hand out tiers (and their limits) for made-up identities.
 */
export class UnconfiguredIdentityVerifier implements IdentityVerifier {
  verify(request: VerificationRequest): Promise<VerificationResult> {
    return Promise.resolve({ answer: 'UNAVAILABLE', factors: factorsOf(request), reference: 'unconfigured' });
  }
}
