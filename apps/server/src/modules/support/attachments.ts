/**
 * What a holder may attach (up to 3 a message): JPEG, PNG or PDF, recognised by their first bytes
 * — the declared type must agree with them (like the KYC documents, ADR 0006).
 */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
export const MAX_ATTACHMENTS_PER_MESSAGE = 3;

const MAGIC: Record<AttachmentType, Buffer> = {
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'application/pdf': Buffer.from('%PDF-', 'latin1'),
};

/** The type the bytes are, or null when they are none of ours. */
export function sniffType(content: Buffer): AttachmentType | null {
  for (const type of ATTACHMENT_TYPES) {
    const magic = MAGIC[type];
    if (content.length >= magic.length && content.subarray(0, magic.length).equals(magic)) return type;
  }
  return null;
}

/** Why this upload is refused, or null. */
export function attachmentProblem(input: {
  declaredType: string;
  content: Buffer;
  maxBytes: number;
}): 'empty' | 'tooLarge' | 'unsupportedType' | 'typeMismatch' | null {
  if (input.content.length === 0) return 'empty';
  if (input.content.length > input.maxBytes) return 'tooLarge';
  const actual = sniffType(input.content);
  if (!actual) return 'unsupportedType';
  // Browsers send image/jpg now and then; the bytes decide what it is stored as.
  const declared = input.declaredType === 'image/jpg' ? 'image/jpeg' : input.declaredType;
  if (declared !== actual && declared !== 'application/octet-stream') return 'typeMismatch';
  return null;
}

/** A file name safe to show and to send back in Content-Disposition. */
export function cleanFileName(name: string | undefined, type: AttachmentType): string {
  const cleaned = [...(name ?? '')]
    .filter((char) => char.charCodeAt(0) > 0x1f && char.charCodeAt(0) !== 0x7f && !'"\\/'.includes(char))
    .join('')
    .trim()
    .slice(0, 120);
  if (cleaned) return cleaned;
  return type === 'application/pdf' ? 'attachment.pdf' : type === 'image/png' ? 'image.png' : 'image.jpg';
}
