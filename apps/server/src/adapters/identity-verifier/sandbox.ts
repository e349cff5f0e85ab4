import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { factorsOf } from './verifier.ts';
import type { IdentityVerifier, VerificationRequest, VerificationResult } from './verifier.ts';

/**
 * The sandbox verifier behaves like the real one, answers chosen by documented magic values
 * (docs/kyc.md): an ID number whose sequence (characters 15–17) is `999` → MISMATCH, `998` →
 * UNAVAILABLE; the legal name 测试不符 → MISMATCH; anything else that is well formed → MATCH.
 * Valid examples: 110105199001010010 (MATCH), 110105199001019998 (MISMATCH),
 * 11010519900101998X (UNAVAILABLE).
 */
export class SandboxIdentityVerifier implements IdentityVerifier {
  constructor(private readonly latencyMs: { min: number; max: number } = { min: 40, max: 160 }) {}

  async verify(request: VerificationRequest): Promise<VerificationResult> {
    const { min, max } = this.latencyMs;
    if (max > 0) await sleep(min + Math.floor(Math.random() * (max - min + 1)));
    const sequence = request.idNumber.slice(14, 17);
    const answer =
      sequence === '998'
        ? 'UNAVAILABLE'
        : sequence === '999' || request.legalName.trim() === '测试不符'
          ? 'MISMATCH'
          : 'MATCH';
    return { answer, factors: factorsOf(request), reference: `sandbox-${randomUUID()}` };
  }
}
