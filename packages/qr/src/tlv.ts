/**
 * The EMVCo data-object format: `ID LEN VALUE`, repeated, where ID and LEN are two decimal
 * digits each and LEN counts the value's characters. Characters are Unicode code points, not
 * UTF-16 units and not bytes: the alternate-language template (64) carries Chinese, and
 * "最佳运输" is LEN 04 in every wallet that reads these codes.
 *
 * This file knows the syntax only; which tags are required and what their values mean is
 * merchant-qr.ts's business.
 */
import { QrError, quoteForError } from './errors.ts';

export interface TlvField {
  /** Two decimal digits, "00" to "99". */
  readonly id: string;
  readonly value: string;
}

/** LEN is two digits, so no value can be longer; EMVCo also forbids an empty one (LEN 00). */
export const MAX_TLV_VALUE_LENGTH = 99;

const TWO_DIGITS = /^[0-9]{2}$/;

/**
 * Tags whose value is itself a list of data objects: merchant account templates (26–51), the
 * additional data field template (62), the merchant information in an alternate language (64)
 * and the unreserved templates (80–99).
 */
export function isTemplateTag(id: string): boolean {
  if (!TWO_DIGITS.test(id)) return false;
  const n = Number(id);
  return (n >= 26 && n <= 51) || n === 62 || n === 64 || n >= 80;
}

/**
 * Splits `text` into its data objects, in the order they appear. `parent` names the enclosing
 * template ("62") so that errors inside it say "tag 62.05", not just "tag 05".
 *
 * Refuses (MALFORMED) a header cut short, an ID or LEN that is not two digits, a LEN of 00, a
 * LEN running past the end, and an ID that appears twice: a reader that took the first or the
 * last copy would disagree with one that took the other, which is how payments get misrouted.
 */
export function parseTlv(text: string, parent?: string): TlvField[] {
  const chars = Array.from(text);
  const fields: TlvField[] = [];
  const seen = new Set<string>();
  const name = (id: string) => (parent === undefined ? `tag ${id}` : `tag ${parent}.${id}`);
  const where = parent === undefined ? '' : ` inside tag ${parent}`;
  let at = 0;
  while (at < chars.length) {
    if (chars.length - at < 4) {
      throw new QrError(
        'MALFORMED',
        `Truncated data object${where} at character ${at}: ${quoteForError(chars.slice(at).join(''))} is shorter than an ID and a length`,
        parent,
      );
    }
    const id = chars.slice(at, at + 2).join('');
    const lengthText = chars.slice(at + 2, at + 4).join('');
    if (!TWO_DIGITS.test(id)) {
      throw new QrError(
        'MALFORMED',
        `Expected a two-digit ID${where} at character ${at}, found ${quoteForError(id)}`,
        parent,
      );
    }
    const tag = parent === undefined ? id : `${parent}.${id}`;
    if (!TWO_DIGITS.test(lengthText)) {
      throw new QrError(
        'MALFORMED',
        `${name(id)} has length ${quoteForError(lengthText)}, not two digits`,
        tag,
      );
    }
    const length = Number(lengthText);
    if (length === 0)
      throw new QrError('MALFORMED', `${name(id)} has length 00; EMVCo values are never empty`, tag);
    const start = at + 4;
    if (start + length > chars.length) {
      throw new QrError(
        'MALFORMED',
        `${name(id)} declares ${length} characters but only ${chars.length - start} remain`,
        tag,
      );
    }
    if (seen.has(id)) throw new QrError('MALFORMED', `${name(id)} appears twice`, tag);
    seen.add(id);
    fields.push({ id, value: chars.slice(start, start + length).join('') });
    at = start + length;
  }
  return fields;
}

/**
 * Writes data objects in the order given (ordering rules belong to the caller). Refuses
 * (INVALID_FIELD) what parseTlv would refuse, so nothing this writes fails to read back.
 */
export function encodeTlv(fields: readonly TlvField[], parent?: string): string {
  const seen = new Set<string>();
  let text = '';
  for (const { id, value } of fields) {
    const tag = parent === undefined ? id : `${parent}.${id}`;
    if (!TWO_DIGITS.test(id))
      throw new QrError('INVALID_FIELD', `ID ${quoteForError(id)} is not two digits`, tag);
    if (seen.has(id)) throw new QrError('INVALID_FIELD', `tag ${tag} is given twice`, tag);
    seen.add(id);
    const length = codePointLength(value);
    if (length === 0 || length > MAX_TLV_VALUE_LENGTH) {
      throw new QrError(
        'INVALID_FIELD',
        `tag ${tag} is ${length} characters long; a value must be 1 to ${MAX_TLV_VALUE_LENGTH}`,
        tag,
      );
    }
    text += `${id}${String(length).padStart(2, '0')}${value}`;
  }
  return text;
}

/** The length EMVCo means: code points, so "北京" is 2 (String#length agrees here, but not for 𠀀). */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}
