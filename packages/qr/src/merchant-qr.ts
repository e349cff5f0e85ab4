/**
 * The EMVCo merchant-presented QR code (EMV QRCPS-MPM): the sticker on a shop counter, or the
 * code a till shows for one order, that a payer's wallet scans. Parsing verifies the CRC and the
 * fields a payment needs; encoding writes the canonical form. Both go through one interpreter
 * (`interpret`), so the encoder can never write a code the parser would refuse.
 *
 * Nothing is lost: the parse result keeps every top-level field in wire order (`fields`), every
 * template keeps all its sub-fields, and tags this file gives no name to land in `otherFields`
 * or `unreservedTemplates`.
 */
import { crc16 } from './crc.ts';
import { QrError, quoteForError } from './errors.ts';
import { codePointLength, encodeTlv, isTemplateTag, parseTlv, type TlvField } from './tlv.ts';

/** Tag 01: "11" a static code (reused, the payer types the amount), "12" one made for one payment. */
export type Initiation = 'static' | 'dynamic';

/** A merchant account information template (tags 26–51): which scheme, and the merchant in it. */
export interface MerchantAccountInput {
  /** "26" to "51". */
  id: string;
  /** Sub-ID 00: a GUID or reverse-domain name of the scheme. */
  guid: string;
  /** Further sub-fields; the GUID may be repeated here as 00 but must then agree. */
  fields?: readonly TlvField[];
}

/** Tag 62. The named properties are views of sub-fields, kept for the ones we use. */
export interface AdditionalDataInput {
  /** Sub-ID 01. */
  billNumber?: string;
  /** Sub-ID 05: our order id on a dynamic code, so the payment finds its order. */
  referenceLabel?: string;
  /** Sub-ID 07: which till. */
  terminalLabel?: string;
  fields?: readonly TlvField[];
}

/** Tag 64: the merchant's name (and city) in another language, here Chinese. */
export interface AlternateLanguageInput {
  /** Sub-ID 00: ISO 639 two-letter code ("ZH" in the domain-rules sample). */
  language: string;
  /** Sub-ID 01. */
  merchantName: string;
  /** Sub-ID 02. */
  merchantCity?: string;
  fields?: readonly TlvField[];
}

/** An unreserved template (tags 80–99): a scheme's private data, kept as sub-fields. */
export interface TemplateInput {
  id: string;
  fields: readonly TlvField[];
}

/** What `encodeMerchantQr` takes. */
export interface MerchantQrInput {
  /** Tag 01; optional in EMVCo, so a code without it still parses. */
  initiation?: Initiation;
  merchantAccounts?: readonly MerchantAccountInput[];
  /** Tag 52: ISO 18245 merchant category code, 4 digits. */
  mcc: string;
  /** Tag 53: ISO 4217 numeric code, 3 digits ("156" is CNY). */
  currency: string;
  /** Tag 54: digits with an optional "." ("23.72"), at most 13 characters, not zero. */
  amount?: string;
  /** Tags 55, 56, 57, kept raw: we neither ask for tips nor charge fees. */
  tipIndicator?: string;
  convenienceFeeFixed?: string;
  convenienceFeePercentage?: string;
  /** Tag 58: ISO 3166 alpha-2, upper case. */
  country: string;
  /** Tag 59, at most 25 characters. */
  merchantName: string;
  /** Tag 60, at most 15 characters. */
  merchantCity: string;
  /** Tag 61, at most 10 characters. */
  postalCode?: string;
  additionalData?: AdditionalDataInput;
  alternateLanguage?: AlternateLanguageInput;
  unreservedTemplates?: readonly TemplateInput[];
  /** Any other non-template tag (02–25, 65–79), raw. */
  otherFields?: readonly TlvField[];
}

export interface MerchantAccount extends MerchantAccountInput {
  /** Every sub-field, the GUID (00) included. */
  fields: TlvField[];
}

export interface AdditionalData extends AdditionalDataInput {
  fields: TlvField[];
}

export interface AlternateLanguage extends AlternateLanguageInput {
  fields: TlvField[];
}

export interface Template extends TemplateInput {
  fields: TlvField[];
}

/** A merchant QR's content, everything but the checksum: what a parse and an encode agree on. */
export interface MerchantQrData extends MerchantQrInput {
  merchantAccounts: MerchantAccount[];
  additionalData?: AdditionalData;
  alternateLanguage?: AlternateLanguage;
  unreservedTemplates: Template[];
  otherFields: TlvField[];
}

/** What `parseMerchantQr` returns. */
export interface MerchantQr extends MerchantQrData {
  /** Every top-level field in the order it appeared, 00 and 63 included. */
  fields: TlvField[];
  /** Tag 63, already checked. */
  crc: string;
}

const INITIATION_BY_CODE: Record<string, Initiation> = { '11': 'static', '12': 'dynamic' };
const CODE_BY_INITIATION: Record<Initiation, string> = { static: '11', dynamic: '12' };

/** Top-level tags with a property of their own; `otherFields` may not carry them. */
const NAMED_TAGS = new Set([
  '00',
  '01',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '59',
  '60',
  '61',
  '62',
  '63',
  '64',
]);

const FOUR_DIGITS = /^[0-9]{4}$/;
const THREE_DIGITS = /^[0-9]{3}$/;
const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[A-Za-z]{2}$/;
/** EMVCo 4.2: digits, at most one "." as the decimal mark, which may end the value ("98."). */
const AMOUNT = /^[0-9]+(?:\.[0-9]*)?$/;
const MAX_AMOUNT_LENGTH = 13;
/** EMVCo's ceiling for a whole payload; scanners size their buffers by it. */
export const MAX_QR_LENGTH = 512;

/**
 * Reads a merchant QR string: checks its structure, its CRC and the fields a payment needs.
 * Throws QrError: MALFORMED (the TLV does not hold together, or 00/63 are out of place),
 * CRC_MISMATCH, MISSING_FIELD, INVALID_FIELD.
 */
export function parseMerchantQr(text: string): MerchantQr {
  // Checked on UTF-16 length first so a megabyte of junk is refused before it is walked.
  if (text.length > 2 * MAX_QR_LENGTH || codePointLength(text) > MAX_QR_LENGTH) {
    throw new QrError('MALFORMED', `A merchant QR is at most ${MAX_QR_LENGTH} characters`);
  }
  const fields = parseTlv(text);
  const first = fields[0];
  if (first === undefined || first.id !== '00') {
    if (fields.some((field) => field.id === '00')) {
      throw new QrError('MALFORMED', 'tag 00 (payload format indicator) must come first', '00');
    }
    throw new QrError('MISSING_FIELD', 'tag 00 (payload format indicator) is missing', '00');
  }
  const last = fields[fields.length - 1];
  if (last === undefined || last.id !== '63') {
    if (fields.some((field) => field.id === '63')) {
      throw new QrError('MALFORMED', 'tag 63 (CRC) must come last', '63');
    }
    throw new QrError('MISSING_FIELD', 'tag 63 (CRC) is missing', '63');
  }
  if (!/^[0-9A-F]{4}$/.test(last.value)) {
    throw new QrError(
      'INVALID_FIELD',
      `tag 63 is ${quoteForError(last.value)}, not 4 upper-case hex digits`,
      '63',
    );
  }
  // The CRC covers everything before its own value, its "6304" header included.
  const expected = crc16(text.slice(0, text.length - last.value.length));
  if (expected !== last.value) {
    throw new QrError(
      'CRC_MISMATCH',
      `tag 63 says CRC ${last.value} but the content's CRC is ${expected}`,
      '63',
    );
  }
  return { ...interpret(fields.slice(0, -1)), fields, crc: last.value };
}

/**
 * Writes `qr` as a merchant QR string: top-level tags in ascending order (00 first, as it is
 * the lowest; 63 last, as EMVCo requires), sub-fields of every template in ascending order too,
 * then the CRC. That canonical order is why `parseMerchantQr(encodeMerchantQr(x))` equals x
 * only once x's own field lists are sorted. Throws QrError (INVALID_FIELD, MISSING_FIELD) for
 * anything the parser would refuse.
 */
export function encodeMerchantQr(qr: MerchantQrInput): string {
  const fields = sortById(topLevelFields(qr));
  interpret(fields); // the parser's checks, so an encoded code always reads back
  const body = `${encodeTlv(fields)}6304`;
  if (codePointLength(body) + 4 > MAX_QR_LENGTH) {
    throw new QrError('INVALID_FIELD', `The code would be longer than EMVCo's ${MAX_QR_LENGTH} characters`);
  }
  return `${body}${crc16(body)}`;
}

function topLevelFields(qr: MerchantQrInput): TlvField[] {
  const fields: TlvField[] = [{ id: '00', value: '01' }];
  const add = (id: string, value: string | undefined) => {
    if (value !== undefined) fields.push({ id, value });
  };
  if (qr.initiation !== undefined) add('01', CODE_BY_INITIATION[qr.initiation]);
  for (const account of qr.merchantAccounts ?? []) {
    if (!isMerchantAccountTag(account.id)) {
      throw new QrError(
        'INVALID_FIELD',
        `merchantAccounts holds tag ${account.id}; they are 26–51`,
        account.id,
      );
    }
    const merged = mergeNamed(account.id, [['00', account.guid, 'guid']], account.fields);
    add(account.id, encodeTlv(merged, account.id));
  }
  add('52', qr.mcc);
  add('53', qr.currency);
  add('54', qr.amount);
  add('55', qr.tipIndicator);
  add('56', qr.convenienceFeeFixed);
  add('57', qr.convenienceFeePercentage);
  add('58', qr.country);
  add('59', qr.merchantName);
  add('60', qr.merchantCity);
  add('61', qr.postalCode);
  if (qr.additionalData !== undefined) {
    const data = qr.additionalData;
    const merged = mergeNamed(
      '62',
      [
        ['01', data.billNumber, 'billNumber'],
        ['05', data.referenceLabel, 'referenceLabel'],
        ['07', data.terminalLabel, 'terminalLabel'],
      ],
      data.fields,
    );
    add('62', encodeTlv(merged, '62'));
  }
  if (qr.alternateLanguage !== undefined) {
    const alternate = qr.alternateLanguage;
    const merged = mergeNamed(
      '64',
      [
        ['00', alternate.language, 'language'],
        ['01', alternate.merchantName, 'merchantName'],
        ['02', alternate.merchantCity, 'merchantCity'],
      ],
      alternate.fields,
    );
    add('64', encodeTlv(merged, '64'));
  }
  for (const template of qr.unreservedTemplates ?? []) {
    if (!isUnreservedTemplateTag(template.id)) {
      throw new QrError(
        'INVALID_FIELD',
        `unreservedTemplates holds tag ${template.id}; they are 80–99`,
        template.id,
      );
    }
    add(template.id, encodeTlv(sortById(template.fields), template.id));
  }
  for (const field of qr.otherFields ?? []) {
    if (NAMED_TAGS.has(field.id) || isTemplateTag(field.id)) {
      throw new QrError(
        'INVALID_FIELD',
        `otherFields holds tag ${field.id}, which has its own property (templates included)`,
        field.id,
      );
    }
    fields.push(field);
  }
  return fields;
}

/**
 * Checks the top-level fields (63 excluded) and builds the typed view of them. Shared by parse
 * and encode, so the two cannot drift apart.
 */
function interpret(fields: readonly TlvField[]): MerchantQrData {
  const byId = new Map<string, string>();
  for (const field of fields) {
    if (byId.has(field.id)) throw new QrError('INVALID_FIELD', `tag ${field.id} is given twice`, field.id);
    byId.set(field.id, field.value);
  }
  const required = (id: string, what: string): string => {
    const value = byId.get(id);
    if (value === undefined) throw new QrError('MISSING_FIELD', `tag ${id} (${what}) is missing`, id);
    return value;
  };
  const invalid = (id: string, what: string, value: string, rule: string) =>
    new QrError('INVALID_FIELD', `tag ${id} (${what}) is ${quoteForError(value)}: ${rule}`, id);

  if (required('00', 'payload format indicator') !== '01') {
    throw invalid('00', 'payload format indicator', byId.get('00') ?? '', 'only version "01" exists');
  }

  const qr: MerchantQrData = {
    merchantAccounts: [],
    mcc: matching(
      '52',
      'merchant category code',
      required('52', 'merchant category code'),
      FOUR_DIGITS,
      '4 digits',
    ),
    currency: matching(
      '53',
      'currency',
      required('53', 'currency'),
      THREE_DIGITS,
      'an ISO 4217 numeric code',
    ),
    country: matching('58', 'country', required('58', 'country'), COUNTRY, 'two upper-case letters'),
    merchantName: limited('59', 'merchant name', required('59', 'merchant name'), 25),
    merchantCity: limited('60', 'merchant city', required('60', 'merchant city'), 15),
    unreservedTemplates: [],
    otherFields: [],
  };

  for (const { id, value } of fields) {
    switch (id) {
      case '00':
      case '52':
      case '53':
      case '58':
      case '59':
      case '60':
        break; // read above
      case '01': {
        const initiation = INITIATION_BY_CODE[value];
        if (initiation === undefined) throw invalid(id, 'point of initiation', value, 'expected 11 or 12');
        qr.initiation = initiation;
        break;
      }
      case '54':
        if (value.length > MAX_AMOUNT_LENGTH || !AMOUNT.test(value) || !/[1-9]/.test(value)) {
          throw invalid(
            id,
            'amount',
            value,
            `expected digits with an optional ".", at most ${MAX_AMOUNT_LENGTH} characters, not zero`,
          );
        }
        qr.amount = value;
        break;
      case '55':
        qr.tipIndicator = value;
        break;
      case '56':
        qr.convenienceFeeFixed = value;
        break;
      case '57':
        qr.convenienceFeePercentage = value;
        break;
      case '61':
        qr.postalCode = limited(id, 'postal code', value, 10);
        break;
      case '62': {
        const sub = parseTlv(value, id);
        const data: AdditionalData = { fields: sub };
        for (const field of sub) {
          if (field.id === '01') data.billNumber = limited('62.01', 'bill number', field.value, 25);
          if (field.id === '05') data.referenceLabel = limited('62.05', 'reference label', field.value, 25);
          if (field.id === '07') data.terminalLabel = limited('62.07', 'terminal label', field.value, 25);
        }
        qr.additionalData = data;
        break;
      }
      case '63':
        throw new QrError('INVALID_FIELD', 'tag 63 (CRC) is computed, not given', id);
      case '64': {
        const sub = parseTlv(value, id);
        const get = (subId: string) => sub.find((field) => field.id === subId)?.value;
        const language = get('00');
        const merchantName = get('01');
        const merchantCity = get('02');
        if (language === undefined)
          throw new QrError('MISSING_FIELD', 'tag 64.00 (language) is missing', '64.00');
        if (merchantName === undefined) {
          throw new QrError('MISSING_FIELD', 'tag 64.01 (alternate merchant name) is missing', '64.01');
        }
        const alternate: AlternateLanguage = {
          language: matching('64.00', 'language', language, LANGUAGE, 'two letters'),
          merchantName: limited('64.01', 'alternate merchant name', merchantName, 25),
          fields: sub,
        };
        if (merchantCity !== undefined) {
          alternate.merchantCity = limited('64.02', 'alternate merchant city', merchantCity, 15);
        }
        qr.alternateLanguage = alternate;
        break;
      }
      default:
        if (isMerchantAccountTag(id)) {
          const sub = parseTlv(value, id);
          const guid = sub.find((field) => field.id === '00')?.value;
          if (guid === undefined) {
            throw new QrError('MISSING_FIELD', `tag ${id}.00 (the scheme's GUID) is missing`, `${id}.00`);
          }
          qr.merchantAccounts.push({ id, guid, fields: sub });
        } else if (isUnreservedTemplateTag(id)) {
          qr.unreservedTemplates.push({ id, fields: parseTlv(value, id) });
        } else {
          qr.otherFields.push({ id, value });
        }
    }
  }
  return qr;
}

function matching(tag: string, what: string, value: string, pattern: RegExp, rule: string): string {
  if (!pattern.test(value)) {
    throw new QrError(
      'INVALID_FIELD',
      `tag ${tag} (${what}) is ${quoteForError(value)}: expected ${rule}`,
      tag,
    );
  }
  return value;
}

/** EMVCo's per-field maxima, so a code we write fits every scanner's buffers. */
function limited(tag: string, what: string, value: string, max: number): string {
  const length = codePointLength(value);
  if (length > max) {
    throw new QrError('INVALID_FIELD', `tag ${tag} (${what}) is ${length} characters; at most ${max}`, tag);
  }
  return value;
}

function isMerchantAccountTag(id: string): boolean {
  return /^[0-9]{2}$/.test(id) && Number(id) >= 26 && Number(id) <= 51;
}

function isUnreservedTemplateTag(id: string): boolean {
  return /^[0-9]{2}$/.test(id) && Number(id) >= 80;
}

/**
 * Puts named template values (the GUID, the reference label …) among the template's other
 * sub-fields. A value given both ways must agree: silently preferring one would hide a bug.
 */
function mergeNamed(
  tag: string,
  named: readonly (readonly [subId: string, value: string | undefined, property: string])[],
  fields: readonly TlvField[] = [],
): TlvField[] {
  const byId = new Map<string, string>();
  for (const field of fields) {
    if (byId.has(field.id))
      throw new QrError('INVALID_FIELD', `tag ${tag}.${field.id} is given twice`, `${tag}.${field.id}`);
    byId.set(field.id, field.value);
  }
  for (const [subId, value, property] of named) {
    if (value === undefined) continue;
    const existing = byId.get(subId);
    if (existing !== undefined && existing !== value) {
      throw new QrError(
        'INVALID_FIELD',
        `${property} ${quoteForError(value)} disagrees with tag ${tag}.${subId} ${quoteForError(existing)} in fields`,
        `${tag}.${subId}`,
      );
    }
    byId.set(subId, value);
  }
  return sortById([...byId].map(([id, value]) => ({ id, value })));
}

function sortById(fields: readonly TlvField[]): TlvField[] {
  return [...fields].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
