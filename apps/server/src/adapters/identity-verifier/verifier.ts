/**
 * The identity verifier: checks a legal name against an ID number (2 factors), plus the phone
 * (3) or a bank card and the card's phone (4). A real deployment calls a licensed verification
 * service; the answer is one of three words and nothing more.
 */
export type VerificationAnswer = 'MATCH' | 'MISMATCH' | 'UNAVAILABLE';

export interface VerificationRequest {
  legalName: string;
  idNumber: string;
  phone?: string;
  cardNumber?: string;
  cardPhone?: string;
}

export interface VerificationResult {
  answer: VerificationAnswer;
  factors: 2 | 3 | 4;
  /** The verifier's reference for audits (never contains the inputs). */
  reference: string;
}

export interface IdentityVerifier {
  verify(request: VerificationRequest): Promise<VerificationResult>;
}

export function factorsOf(request: VerificationRequest): 2 | 3 | 4 {
  if (request.cardNumber !== undefined) return 4;
  if (request.phone !== undefined) return 3;
  return 2;
}
