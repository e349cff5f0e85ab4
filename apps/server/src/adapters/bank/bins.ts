/**
 * Issuer identification: BIN (the first 6–8 digits of a card number) → bank and card type.
 *
 * A representative set of UnionPay, Visa and Mastercard prefixes of the major Chinese banks, the
 * ones a holder is most likely to type. It is not the complete or authoritative list: a real
 * deployment loads the BIN file that UnionPay (or its bank partner) publishes into this shape.
 * Unknown BINs are not an error: `lookupBin` answers null and the card can still be used.
 */

export type CardType = 'debit' | 'credit';
export type CardScheme = 'UnionPay' | 'Visa' | 'Mastercard';

export interface Bank {
  code: string;
  nameZh: string;
  nameEn: string;
}

export const BANKS = {
  ICBC: { code: 'ICBC', nameZh: '中国工商银行', nameEn: 'Industrial and Commercial Bank of China' },
  ABC: { code: 'ABC', nameZh: '中国农业银行', nameEn: 'Agricultural Bank of China' },
  BOC: { code: 'BOC', nameZh: '中国银行', nameEn: 'Bank of China' },
  CCB: { code: 'CCB', nameZh: '中国建设银行', nameEn: 'China Construction Bank' },
  BOCOM: { code: 'BOCOM', nameZh: '交通银行', nameEn: 'Bank of Communications' },
  CMB: { code: 'CMB', nameZh: '招商银行', nameEn: 'China Merchants Bank' },
  PSBC: { code: 'PSBC', nameZh: '中国邮政储蓄银行', nameEn: 'Postal Savings Bank of China' },
  CITIC: { code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank' },
  CEB: { code: 'CEB', nameZh: '中国光大银行', nameEn: 'China Everbright Bank' },
  CMBC: { code: 'CMBC', nameZh: '中国民生银行', nameEn: 'China Minsheng Bank' },
  PAB: { code: 'PAB', nameZh: '平安银行', nameEn: 'Ping An Bank' },
  CIB: { code: 'CIB', nameZh: '兴业银行', nameEn: 'Industrial Bank' },
  SPDB: { code: 'SPDB', nameZh: '上海浦东发展银行', nameEn: 'Shanghai Pudong Development Bank' },
  HXB: { code: 'HXB', nameZh: '华夏银行', nameEn: 'Hua Xia Bank' },
  GDB: { code: 'GDB', nameZh: '广发银行', nameEn: 'China Guangfa Bank' },
} as const satisfies Record<string, Bank>;

export type BankCode = keyof typeof BANKS;

export function isBankCode(value: string): value is BankCode {
  return Object.hasOwn(BANKS, value);
}

export interface BinEntry {
  /** 6 to 8 digits; the longest matching prefix wins. */
  prefix: string;
  bankCode: BankCode;
  cardType: CardType;
  scheme: CardScheme;
}

export interface BinInfo {
  bankCode: BankCode;
  bankNameZh: string;
  bankNameEn: string;
  cardType: CardType;
  scheme: CardScheme;
}

type Row = [prefix: string, cardType: CardType, scheme?: CardScheme];

const D: CardType = 'debit';
const C: CardType = 'credit';

const ROWS: Record<BankCode, Row[]> = {
  ICBC: [
    ['621226', D],
    ['622202', D],
    ['622208', D],
    ['621558', D],
    ['621559', D],
    ['622230', C],
    ['427020', C, 'Visa'],
    ['524047', C, 'Mastercard'],
  ],
  ABC: [
    ['622848', D],
    ['622845', D],
    ['623052', D],
    ['622836', C],
    ['622837', C],
    ['403361', C, 'Visa'],
    ['519412', C, 'Mastercard'],
  ],
  BOC: [
    ['621661', D],
    ['621663', D],
    ['621785', D],
    ['601382', D],
    ['456351', D, 'Visa'],
    ['625908', C],
    ['625910', C],
  ],
  CCB: [
    ['621700', D],
    ['622700', D],
    ['622280', D],
    ['621284', D],
    ['436742', D, 'Visa'],
    ['622166', C],
    ['625966', C],
    ['436728', C, 'Visa'],
  ],
  BOCOM: [
    ['622262', D],
    ['622260', D],
    ['622252', C],
    ['622253', C],
    ['458123', C, 'Visa'],
    ['521899', C, 'Mastercard'],
  ],
  CMB: [
    ['621483', D],
    ['622588', D],
    ['621485', D],
    ['621486', D],
    ['622575', C],
    ['622576', C],
    ['439225', C, 'Visa'],
  ],
  PSBC: [
    ['621799', D],
    ['622188', D],
    ['621098', D],
    ['622150', D],
    ['625919', C],
  ],
  CITIC: [
    ['622690', D],
    ['622691', D],
    ['621768', D],
    ['433670', D, 'Visa'],
    ['622919', C],
    ['442729', C, 'Visa'],
    ['518212', C, 'Mastercard'],
  ],
  CEB: [
    ['622666', D],
    ['622662', D],
    ['622660', D],
    ['625975', C],
    ['406254', C, 'Visa'],
  ],
  CMBC: [
    ['622622', D],
    ['622615', D],
    ['621691', D],
    ['622600', C],
    ['622601', C],
    ['421869', C, 'Visa'],
    ['512466', C, 'Mastercard'],
  ],
  PAB: [
    ['621626', D],
    ['623058', D],
    ['622298', D],
    ['622155', C],
    ['622156', C],
    ['528020', C, 'Mastercard'],
  ],
  CIB: [
    ['622909', D],
    ['622908', D],
    ['438588', D, 'Visa'],
    ['622901', C],
    ['622902', C],
    ['451290', C, 'Visa'],
    ['523036', C, 'Mastercard'],
  ],
  SPDB: [
    ['621793', D],
    ['621795', D],
    ['622521', D],
    ['622276', C],
    ['625957', C],
    ['404738', C, 'Visa'],
    ['515672', C, 'Mastercard'],
  ],
  HXB: [
    ['622630', D],
    ['622631', D],
    ['623020', D],
    ['622636', C],
    ['622637', C],
    ['523959', C, 'Mastercard'],
  ],
  GDB: [
    ['621462', D],
    ['622568', D],
    ['622555', C],
    ['622557', C],
    ['528931', C, 'Mastercard'],
  ],
};

export const BIN_TABLE: readonly BinEntry[] = Object.entries(ROWS).flatMap(([bankCode, rows]) =>
  rows.map(([prefix, cardType, scheme]) => ({
    prefix,
    bankCode: bankCode as BankCode,
    cardType,
    scheme: scheme ?? 'UnionPay',
  })),
);

const MIN_PREFIX = 6;
const MAX_PREFIX = 8;

function indexTable(table: readonly BinEntry[]): Map<string, BinEntry> {
  const index = new Map<string, BinEntry>();
  for (const entry of table) {
    if (!/^\d{6,8}$/.test(entry.prefix)) throw new Error(`BIN prefix ${entry.prefix} must be 6 to 8 digits`);
    if (index.has(entry.prefix)) throw new Error(`BIN prefix ${entry.prefix} is listed twice`);
    index.set(entry.prefix, entry);
  }
  return index;
}

const DEFAULT_INDEX = indexTable(BIN_TABLE);
const indexes = new WeakMap<readonly BinEntry[], Map<string, BinEntry>>([[BIN_TABLE, DEFAULT_INDEX]]);

/**
 * The issuer of a card number (or of its first 6+ digits; spaces and dashes ignored), by the
 * longest matching prefix; null when the BIN is not in the table.
 */
export function lookupBin(cardNumber: string, table: readonly BinEntry[] = BIN_TABLE): BinInfo | null {
  if (cardNumber.length > 40) return null;
  const digits = cardNumber.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits) || digits.length < MIN_PREFIX) return null;
  let index = indexes.get(table);
  if (!index) {
    index = indexTable(table);
    indexes.set(table, index);
  }
  for (let length = Math.min(MAX_PREFIX, digits.length); length >= MIN_PREFIX; length--) {
    const entry = index.get(digits.slice(0, length));
    if (entry) {
      const bank = BANKS[entry.bankCode];
      return {
        bankCode: entry.bankCode,
        bankNameZh: bank.nameZh,
        bankNameEn: bank.nameEn,
        cardType: entry.cardType,
        scheme: entry.scheme,
      };
    }
  }
  return null;
}
