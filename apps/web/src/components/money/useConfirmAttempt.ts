import { useRef } from 'react';
import { ApiError } from '../../api/client.ts';
import { newIdempotencyKey } from '../../api/money.ts';
import { stepUpChallengeOf } from '../../api/risk.ts';
import { useStepUpGate } from '../../screens/money/StepUp.tsx';

/** A passed step-up covers the attempt; asked a second time for the same payment, it is the last. */
const MAX_STEP_UPS = 2;

/**
 * One confirmed money call of a screen with its own endpoint (send a red packet, pay or refund a
 * split share), as `usePayment` (screens/money/parts.tsx) does it for payments: under the
 * Idempotency-Key of the current attempt — made on first use, kept while the attempt may be
 * retried as it is (no answer, a 5xx, in flight), dropped once the server has answered — and
 * through the risk step-up when asked (StepUp.tsx): once passed, the same call again, same key.
 * `call` does the request and what follows its success; `key` is the attempt's key (null between
 * attempts), for what must be tied to it.
 */
export function useConfirmAttempt() {
  const stepUps = useStepUpGate();
  const key = useRef<string | null>(null);

  const run = async <T>(call: (idempotencyKey: string) => Promise<T>): Promise<T> => {
    key.current ??= newIdempotencyKey();
    const attempt = key.current;
    let passed = false;
    try {
      for (let round = 0; ; round += 1) {
        try {
          const done = await call(attempt);
          key.current = null;
          return done;
        } catch (failure) {
          const challenge = stepUpChallengeOf(failure);
          if (!challenge || !stepUps || round >= MAX_STEP_UPS) throw failure;
          // The same call again once passed: same key, same confirmation.
          await stepUps.pass(challenge, failure as ApiError);
          passed = true;
        }
      }
    } catch (failure) {
      const retryable =
        failure instanceof ApiError &&
        (failure.status === 0 || failure.status >= 500 || failure.code === 'IDEMPOTENCY_REQUEST_IN_FLIGHT');
      if (!retryable) key.current = null;
      throw failure;
    } finally {
      if (passed) stepUps?.finish();
    }
  };

  return { run, key };
}
