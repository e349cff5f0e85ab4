/**
 * The SMS adapter boundary. Modules hand a finished text to an `SmsSender`; which gateway (or the
 * sandbox outbox) carries it is decided once, in the composition root.
 */
export interface SmsMessage {
  /** A normalised mainland mobile number, 11 digits (no +86). */
  phone: string;
  text: string;
}

export type SmsSendResult =
  | { ok: true; messageId: string }
  /** `retryable`: the gateway was unavailable, not the number or the text at fault. */
  | { ok: false; reason: string; retryable: boolean };

export interface SmsSender {
  /** For logs and the start-up banner, e.g. `sandbox`. */
  readonly name: string;
  /** Never throws for a delivery failure: that is a result. Throws only for programmer errors. */
  send(message: SmsMessage): Promise<SmsSendResult>;
}

/**
 * The sender of production mode until a real gateway adapter exists: every send fails, so codes
 * are never written anywhere a person could read them.
 */
export class UnconfiguredSmsSender implements SmsSender {
  readonly name = 'unconfigured';

  send(): Promise<SmsSendResult> {
    return Promise.resolve({ ok: false, reason: 'no SMS gateway is configured', retryable: false });
  }
}
