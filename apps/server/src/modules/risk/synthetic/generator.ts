/**
 * A seeded synthetic world of wallet holders, for measuring the risk rules (domain-rules §7: no
 * labelled fraud data can be downloaded here). `generate(seed, { holders, days })` answers a
 * chronological stream of events — sign-ins, credential resets, wrong PINs, deny-list entries and
 * payment attempts (PaymentFacts) — each labelled `normal`, `setup` (a fraud's preparation: the
 * takeover's sign-in, the SIM swap's reset, a victim's top-up, a mule's incoming money; never
 * scored) or the fraud pattern of the act itself:
 * - account_takeover: a phished password used on the fraudster's phone, mostly far away (some
 *   fumble the PIN), or a stolen session replayed from elsewhere on the holder's device id; one to
 *   three payments to new payees drain the balance;
 * - card_testing: a fresh account tops up 15–40 small amounts from many stolen cards in minutes;
 * - mule_fan_in: 15–35 scammed holders each pay one collecting wallet within an hour;
 * - mule_fan_out: a mule (a fan-in collector, or a holder renting out the account after money
 *   arrived from upstream) pays 8–20 new payees within the hour;
 * - night_new_payee: a holder coached by a scammer sends a large sum to a new payee at night, from
 *   their own phone at home;
 * - sim_swap: a reset on the fraudster's SIM, a sign-in on a new phone, an immediate payout.
 *
 * Honesty rules the generator keeps:
 * - Facts carry nothing a real request would not: ids are random and alike for every actor,
 *   addresses come from the same city ranges (or the same VPN range) as everybody's, and no field
 *   encodes a label. Known mule accounts of earlier cases are on the deny list from the start, and
 *   fraudsters reuse one now and then.
 * - Normal holders do the things fraud is made of, at realistic rates: pay new payees (strangers
 *   too), pay at night, make occasional large payments, top up from two or three cards, change
 *   phones, travel (signing in in another city after a plausible journey, or not signing in at
 *   all), get mislocated by their carrier's IP or hidden behind a VPN, share an office IP, collect
 *   money from friends (AA split), sell second-hand goods to strangers, forget their PIN, reset it
 *   and pay, reset their password on a new phone, withdraw most of their balance.
 * - New holders register during the measured period (80 per 1,000 holders a month, `newHolders`):
 *   on their only phone, from home or their phone's network, they top up once or twice from one
 *   card and within the hour pay one to three payees never paid — a friend, the landlord's bank
 *   account, a shop — from a small part up to most of what they hold; then live as anyone does.
 *   Every test journey of the server is one of these, and so is every new customer's first day.
 * - Most addresses cannot be placed: a third of the holders never come from a placeable address,
 *   some others' phone networks cannot be placed, half the new holders register from such an
 *   address. An unknown place is ordinary, as it is in production.
 * - The first `warmupDays` days hold normal behaviour only, marked `measured: false`: the rules
 *   meet established holders with a history, as the server would after its first weeks — and the
 *   new holders of the measured period, who have none.
 *
 * Balances are filled in a last pass in time order as if every payment went through, topping a
 * holder up from a bound card just before a payment the balance cannot cover (labelled like a
 * setup when the payment is fraud). A blocked payment would in truth leave the balance higher;
 * this only changes the `balance_minor` later payments see, never a label.
 *
 * Fraud incidence: per 1,000 holders × 30 days, about 25 account takeovers, 5 card-testing
 * bursts, 5 fan-in mules, 6 fan-out mules, 25 night transfers to a new payee and 20 SIM swaps —
 * far more than a real wallet sees (which flatters precision), so that each pattern's recall is
 * measured on enough events.
 */
import { distanceKm } from '../engine/features.ts';
import type { ListName, PaymentFacts, Place, SignInFacts } from '../engine/types.ts';
import { seededRandom } from './random.ts';
import type { Random } from './random.ts';

export const FRAUD_PATTERNS = [
  'account_takeover',
  'card_testing',
  'mule_fan_in',
  'mule_fan_out',
  'night_new_payee',
  'sim_swap',
] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];
export type Label = 'normal' | 'setup' | FraudPattern;

interface EventBase {
  at: Date;
  label: Label;
  /** False during the warm-up: the event builds history but is not scored. */
  measured: boolean;
}

export type SyntheticEvent =
  | (EventBase & { type: 'sign_in'; facts: SignInFacts })
  | (EventBase & { type: 'payment'; facts: PaymentFacts })
  | (EventBase & { type: 'credential_reset'; holderId: string })
  | (EventBase & { type: 'factor_failure'; holderId: string })
  | (EventBase & { type: 'list'; action: 'deny' | 'allow'; list: ListName; value: string });

export interface GeneratorOptions {
  /** Ordinary holders (fraudsters' own accounts come on top). */
  holders: number;
  /** Measured days, after the warm-up. */
  days: number;
  /** Days of normal behaviour before, not measured (default 14). */
  warmupDays?: number;
}

export const MAX_HOLDERS = 100_000;
export const MAX_DAYS = 365;
const DEFAULT_WARMUP_DAYS = 14;

/** The first simulated day, midnight in Asia/Shanghai (a Monday). */
export const SIMULATION_START = new Date('2026-03-02T00:00:00+08:00');

// ─── Places ─────────────────────────────────────────────────────────────────────────────────────

export const CITIES: readonly Place[] = [
  { city: 'Shanghai', latitude: 31.2304, longitude: 121.4737 },
  { city: 'Beijing', latitude: 39.9042, longitude: 116.4074 },
  { city: 'Guangzhou', latitude: 23.1291, longitude: 113.2644 },
  { city: 'Shenzhen', latitude: 22.5431, longitude: 114.0579 },
  { city: 'Hangzhou', latitude: 30.2741, longitude: 120.1551 },
  { city: 'Suzhou', latitude: 31.2989, longitude: 120.5853 },
  { city: 'Nanjing', latitude: 32.0603, longitude: 118.7969 },
  { city: 'Chengdu', latitude: 30.5728, longitude: 104.0668 },
  { city: 'Chongqing', latitude: 29.563, longitude: 106.5516 },
  { city: 'Wuhan', latitude: 30.5928, longitude: 114.3055 },
  { city: "Xi'an", latitude: 34.3416, longitude: 108.9398 },
  { city: 'Xiamen', latitude: 24.4798, longitude: 118.0894 },
  { city: 'Kunming', latitude: 25.0389, longitude: 102.7183 },
  { city: 'Harbin', latitude: 45.8038, longitude: 126.5349 },
  { city: 'Urumqi', latitude: 43.8256, longitude: 87.6168 },
];
/** Where people live, roughly: the first cities are the big ones. */
const CITY_WEIGHTS = [14, 13, 10, 10, 7, 5, 5, 7, 6, 6, 5, 3, 3, 3, 3];

/**
 * The sandbox IP plan: 10.<city>.x.y is in that city; 203.0.113.0/24 (TEST-NET-3) is a proxy
 * abroad, and 100.64.0.0/10 (carriers' shared addresses) ordinary subscribers, both unplaceable:
 * as with a real places adapter, most addresses of ordinary people cannot be placed, and a
 * proxy looks no different. The evaluation gives this to the store as its places adapter.
 */
export function placeOfIp(ip: string): Place | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts[0] !== '10') return null;
  return CITIES[Number(parts[1])] ?? null;
}

function cityIp(random: Random, city: number): string {
  return `10.${city}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

function proxyIp(random: Random): string {
  return `203.0.113.${random.int(1, 254)}`;
}

/** An ordinary subscriber's address that the places adapter cannot place. */
function unplacedIp(random: Random): string {
  return `100.${random.int(64, 127)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

function cityDistanceKm(a: number, b: number): number {
  return distanceKm(CITIES[a] as Place, CITIES[b] as Place);
}

// ─── The population ─────────────────────────────────────────────────────────────────────────────

interface Card {
  id: string;
  bin: string;
}

interface Holder {
  id: string;
  home: number;
  /** Whether the holder's own addresses (home, phone, trips) can be placed; most cannot. */
  placed: boolean;
  homeIp: string;
  mobileIps: string[];
  /** A company's NAT address shared by many holders at lunch time. */
  officeIp: string | null;
  device: string;
  tablet: string | null;
  cards: Card[];
  /** The holder's own bank account and a relative's (bank transfers go there). */
  familyBank: string;
  paymentsPerDay: number;
  /** Median payment, minor units. */
  typicalMinor: number;
  merchants: string[];
  friends: number[];
  nightOwl: boolean;
  /** Uses a VPN now and then: an address abroad, place unknown. */
  vpn: boolean;
  initialBalanceMinor: number;
}

const BANK_BINS = ['622202', '621700', '622848', '621661', '622588', '623058', '625800', '436742'];
/** Established holders whose own addresses the places adapter never places. */
const UNPLACED_SHARE = 0.35;
/** Of the others, those whose phone's network is sometimes one that cannot be placed. */
const MIXED_SHARE = 0.2;
/** Newcomers registering, per 1,000 holders and 30 days (a wallet growing about 8 % a month). */
const NEWCOMERS_PER_THOUSAND_MONTH = 80;
/** Newcomers who register somewhere their address can be placed (the rest: unknown). */
const NEWCOMER_PLACED_SHARE = 0.5;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YUAN = 100;

/** Relative activity per hour of the day (Asia/Shanghai): little at night, peaks at meals. */
const HOUR_WEIGHTS = [0.5, 0.3, 0.15, 0.1, 0.1, 0.3, 1, 3, 5, 5, 5, 7, 9, 6, 4, 4, 4, 5, 8, 8, 7, 6, 4, 2];
const NIGHT_OWL_HOUR_WEIGHTS = HOUR_WEIGHTS.map((weight, hour) => (hour < 5 ? weight * 8 : weight));

function pickWeighted(random: Random, weights: readonly number[]): number {
  let total = 0;
  for (const weight of weights) total += weight;
  let point = random.next() * total;
  for (let index = 0; index < weights.length; index += 1) {
    point -= weights[index] ?? 0;
    if (point < 0) return index;
  }
  return weights.length - 1;
}

function newCard(random: Random, bin = random.pick(BANK_BINS)): Card {
  return { id: `c${random.hex(12)}`, bin };
}

function device(random: Random): string {
  return `d${random.hex(16)}`;
}

// ─── Drafts: events before balances are known ───────────────────────────────────────────────────

interface PaymentDraft {
  type: 'payment';
  at: number;
  label: Label;
  holder: string;
  kind: string;
  payee: string;
  payeeHolderId: string | null;
  deviceId: string | null;
  ip: string | null;
  card: Card | null;
  /** A fixed amount, or a share of the balance at that moment (a drain, a withdrawal). */
  amount: { minor: number } | { fraction: number };
  /** The card to top up from when the balance cannot cover a fixed amount (null: none). */
  fundingCard: Card | null;
}

type Draft =
  | PaymentDraft
  | { type: 'sign_in'; at: number; label: Label; holder: string; deviceId: string; ip: string }
  | { type: 'credential_reset'; at: number; label: Label; holder: string }
  | { type: 'factor_failure'; at: number; label: Label; holder: string }
  | { type: 'list'; at: number; label: Label; action: 'deny' | 'allow'; list: ListName; value: string };

// ─── The generator ──────────────────────────────────────────────────────────────────────────────

export interface SyntheticStream {
  events: SyntheticEvent[];
  /** The places adapter of this world (`placeOfIp`). */
  placeOf: (ip: string) => Place | null;
  /** When the measured period starts. */
  measuredFrom: Date;
  /**
   * The holders who registered during the measured period, and when (their payments are
   * labelled `normal`; this lets the evaluation say how they fared).
   */
  newHolders: ReadonlyMap<string, Date>;
}

export function generate(seed: number, options: GeneratorOptions): SyntheticStream {
  const warmupDays = options.warmupDays ?? DEFAULT_WARMUP_DAYS;
  if (!Number.isSafeInteger(options.holders) || options.holders < 2 || options.holders > MAX_HOLDERS) {
    throw new RangeError(`holders must be a whole number from 2 to ${MAX_HOLDERS}`);
  }
  for (const [name, value] of [
    ['days', options.days],
    ['warmupDays', warmupDays],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_DAYS) {
      throw new RangeError(`${name} must be a whole number from 0 to ${MAX_DAYS}`);
    }
  }
  if (options.days < 1) throw new RangeError('days must be at least 1');

  const random = seededRandom(seed);
  const world = new World(random, options.holders, warmupDays, options.days);
  world.populate();
  for (const holder of world.holders) world.normalLife(holder, 0);
  world.newcomers();
  world.frauds();
  return {
    events: world.settle(),
    placeOf: placeOfIp,
    measuredFrom: new Date(world.measuredFrom),
    newHolders: world.joined,
  };
}

/** The mutable world the generator builds; local to one `generate` call. */
class World {
  readonly holders: Holder[] = [];
  /** Newcomers' ids and registration times. */
  readonly joined = new Map<string, Date>();
  private readonly merchantsByCity: string[][] = CITIES.map(() => []);
  private readonly officeIps: string[] = [];
  private readonly drafts: Draft[] = [];
  /** Bank accounts of earlier cases, on the deny list from the start; fraudsters reuse some. */
  private readonly knownDrops: string[] = [];
  readonly measuredFrom: number;
  private readonly end: number;

  constructor(
    private readonly random: Random,
    private readonly size: number,
    private readonly warmupDays: number,
    private readonly days: number,
  ) {
    this.measuredFrom = SIMULATION_START.getTime() + warmupDays * DAY;
    this.end = this.measuredFrom + days * DAY;
  }

  populate(): void {
    const { random } = this;
    // Every city has a few shops; the rest are spread like the people.
    const merchants = Math.max(30, Math.round(this.size / 4));
    for (let index = 0; index < merchants; index += 1) {
      const city = index < CITIES.length * 3 ? index % CITIES.length : pickWeighted(random, CITY_WEIGHTS);
      this.merchantsByCity[city]?.push(`merchant:m${random.hex(10)}`);
    }
    for (let index = 0; index < Math.max(1, Math.round(this.size / 60)); index += 1) {
      this.officeIps.push(cityIp(random, pickWeighted(random, CITY_WEIGHTS)));
    }
    for (let index = 0; index < this.size; index += 1) {
      this.holders.push(this.person(!random.chance(UNPLACED_SHARE)));
    }
    for (const holder of this.holders) this.chooseMerchants(holder);
    // Friendship is mutual, mostly within a city.
    const byCity = CITIES.map((_, city) =>
      this.holders.flatMap((holder, index) => (holder.home === city ? [index] : [])),
    );
    this.holders.forEach((holder, index) => {
      const wanted = random.int(2, 6);
      for (let tries = 0; holder.friends.length < wanted && tries < 20; tries += 1) {
        const sameCity = byCity[holder.home] ?? [];
        const other =
          random.chance(0.8) && sameCity.length > 1 ? random.pick(sameCity) : random.int(0, this.size - 1);
        const friend = this.holders[other];
        if (other === index || friend === undefined || holder.friends.includes(other)) continue;
        holder.friends.push(other);
        friend.friends.push(index);
      }
    });
  }

  /** A holder's make-up: where they live, their addresses, devices, cards and habits. */
  private person(placed: boolean): Holder {
    const { random } = this;
    const home = pickWeighted(random, CITY_WEIGHTS);
    const cardCount = random.chance(0.03) ? 3 : random.chance(0.25) ? 2 : 1;
    const office = random.chance(0.2) ? random.pick(this.officeIps) : null;
    const ip = () => (placed ? cityIp(random, home) : unplacedIp(random));
    return {
      id: `h${random.hex(12)}`,
      home,
      placed,
      homeIp: ip(),
      // Some placed holders' carriers cannot be placed: one of their phone's addresses is unknown.
      mobileIps: [ip(), placed && random.chance(MIXED_SHARE) ? unplacedIp(random) : ip()],
      // An office in another city is a commuter's: only offices in the home city are used.
      officeIp: office !== null && placeOfIp(office) === CITIES[home] ? office : null,
      device: device(random),
      tablet: random.chance(0.1) ? device(random) : null,
      cards: Array.from({ length: cardCount }, () => newCard(random)),
      familyBank: `bank:${random.hex(16)}`,
      paymentsPerDay: Math.min(10, random.lognormal(1.4, 0.6)),
      typicalMinor: Math.round(random.lognormal(45 * YUAN, 0.6)),
      merchants: [],
      friends: [],
      nightOwl: random.chance(0.1),
      vpn: random.chance(0.03),
      initialBalanceMinor: Math.round(random.lognormal(1500 * YUAN, 1.0)),
    };
  }

  private chooseMerchants(holder: Holder): void {
    const local = this.merchantsByCity[holder.home] ?? [];
    const count = this.random.int(4, 12);
    for (let index = 0; index < count && local.length > 0; index += 1) {
      holder.merchants.push(this.random.pick(local));
    }
  }

  private dayStart(day: number): number {
    return SIMULATION_START.getTime() + day * DAY;
  }

  private timeOfDay(nightOwl: boolean): number {
    const hour = pickWeighted(this.random, nightOwl ? NIGHT_OWL_HOUR_WEIGHTS : HOUR_WEIGHTS);
    return hour * HOUR + Math.floor(this.random.next() * HOUR);
  }

  private pay(draft: Omit<PaymentDraft, 'type'>): void {
    this.drafts.push({ type: 'payment', ...draft });
  }

  /**
   * A holder's everyday life from `fromDay` (a newcomer's: the day after registering): where they
   * are (home, or the city of a trip), what they pay, a new phone, a forgotten PIN.
   */
  normalLife(holder: Holder, fromDay: number): void {
    const { random } = this;
    const totalDays = this.warmupDays + this.days;
    let currentDevice = holder.device;
    const later = fromDay + 1 < totalDays;
    const phoneChangeDay = random.chance(0.04) && later ? random.int(fromDay + 1, totalDays - 1) : -1;
    // A trip: leave one day, come back a few days later; a plausible journey in between.
    let trip: { from: number; to: number; city: number; ips: string[]; merchants: string[] } | null = null;
    if (random.chance(0.06) && totalDays - fromDay > 3) {
      const city = (holder.home + random.int(1, CITIES.length - 1)) % CITIES.length;
      const from = random.int(fromDay + 1, totalDays - 2);
      // An address far from home is placed as the home ones are (the same kind of network).
      const ip = () => (holder.placed ? cityIp(random, city) : unplacedIp(random));
      trip = {
        from,
        to: Math.min(totalDays - 1, from + random.int(2, 6)),
        city,
        ips: [ip(), ip()],
        merchants: Array.from({ length: 6 }, () =>
          random.pick(this.merchantsByCity[city] ?? holder.merchants),
        ),
      };
    }
    const resetDay = random.chance(0.03) && fromDay < totalDays ? random.int(fromDay, totalDays - 1) : -1;
    const seller = random.chance(0.03);

    for (let day = fromDay; day < totalDays; day += 1) {
      const start = this.dayStart(day);
      if (day === phoneChangeDay) {
        // A new phone; many have forgotten the password by then and reset it first.
        currentDevice = device(random);
        const at = start + this.timeOfDay(false);
        if (random.chance(0.4)) {
          this.drafts.push({
            type: 'credential_reset',
            at: at - random.int(1, 10) * MINUTE,
            label: 'normal',
            holder: holder.id,
          });
        }
        this.signIn(holder, at, currentDevice, holder.homeIp, 'normal');
      }
      const away = trip !== null && day >= trip.from && day < trip.to ? trip : null;
      if (trip !== null && (day === trip.from || day === trip.to) && random.chance(0.5)) {
        // Leave (or come back) in the morning; half sign in again on arrival after the journey.
        const departure = start + 7 * HOUR + Math.floor(random.next() * 4 * HOUR);
        const journeyHours = cityDistanceKm(holder.home, trip.city) / 650 + random.uniform(1.5, 3);
        const arrivalIp = day === trip.from ? random.pick(trip.ips) : random.pick(holder.mobileIps);
        this.signIn(holder, departure + journeyHours * HOUR, currentDevice, arrivalIp, 'normal');
      } else if (random.chance(0.35)) {
        const ip =
          holder.vpn && random.chance(0.15)
            ? proxyIp(random)
            : away
              ? random.pick(away.ips)
              : random.chance(0.5)
                ? holder.homeIp
                : random.pick(holder.mobileIps);
        const useTablet = holder.tablet !== null && random.chance(0.2);
        this.signIn(
          holder,
          start + this.timeOfDay(false),
          useTablet ? (holder.tablet as string) : currentDevice,
          ip,
          'normal',
        );
      }
      if (day === resetDay) this.forgotPin(holder, start + this.timeOfDay(false), currentDevice);

      const count = random.poisson(holder.paymentsPerDay);
      for (let payment = 0; payment < count; payment += 1) {
        const at = start + this.timeOfDay(holder.nightOwl);
        this.everydayPayment(holder, at, currentDevice, away);
      }
      // Collecting money from friends after a meal (AA split): a small, benign fan-in.
      if (random.chance(0.006) && holder.friends.length >= 2) this.splitBill(holder, start, day);
      if (seller && random.chance(0.2)) this.sell(holder, start + this.timeOfDay(false));
    }
  }

  /**
   * Holders registering during the measured period: registration is a sign-in on their only
   * phone, from home or their phone's network (placed or not, as their addresses are); a top-up
   * from one card within minutes (a few try a yuan or ten first, some top up again); then, within
   * the hour, one to three payees never paid — a friend mostly, the landlord's bank account (rent),
   * a shop — each a small part up to most of what they hold. Ordinary life from the next day.
   * Nobody pays them before they exist, and frauds pick their victims among established holders.
   */
  newcomers(): void {
    const { random } = this;
    const count = Math.round((NEWCOMERS_PER_THOUSAND_MONTH * this.size * this.days) / 30_000);
    const byCity = CITIES.map((_, city) =>
      this.holders.flatMap((holder, index) => (holder.home === city ? [index] : [])),
    );
    for (let n = 0; n < count; n += 1) {
      const holder = this.person(random.chance(NEWCOMER_PLACED_SHARE));
      holder.initialBalanceMinor = 0;
      holder.tablet = null;
      holder.cards = holder.cards.slice(0, 1);
      this.chooseMerchants(holder);
      // Friends who told them about the wallet, mostly in their city (one-way: they are paid first).
      const sameCity = byCity[holder.home] ?? [];
      for (let wanted = random.int(1, 4); holder.friends.length < wanted;) {
        const other =
          random.chance(0.8) && sameCity.length > 0 ? random.pick(sameCity) : random.int(0, this.size - 1);
        if (!holder.friends.includes(other)) holder.friends.push(other);
      }
      const day = this.warmupDays + random.int(0, this.days - 1);
      const joinedAt = this.dayStart(day) + this.timeOfDay(holder.nightOwl);
      this.joined.set(holder.id, new Date(joinedAt));
      this.firstHour(holder, joinedAt);
      this.normalLife(holder, day + 1);
    }
  }

  private firstHour(holder: Holder, joinedAt: number): void {
    const { random } = this;
    const card = holder.cards[0] as Card;
    const ip = random.chance(0.6) ? holder.homeIp : random.pick(holder.mobileIps);
    const ipNow = () => (random.chance(0.8) ? ip : random.pick(holder.mobileIps));
    this.signIn(holder, joinedAt, holder.device, ip, 'normal');
    let at = joinedAt + random.int(1, 8) * MINUTE;
    const topUp = (minor: number) =>
      this.pay({
        at,
        label: 'normal',
        holder: holder.id,
        kind: 'top_up',
        payee: `card:${card.id}`,
        payeeHolderId: null,
        deviceId: holder.device,
        ip: ipNow(),
        card,
        amount: { minor },
        fundingCard: null,
      });
    if (random.chance(0.08)) {
      topUp(random.pick([1, 5, 10]) * YUAN); // a yuan or ten first, to see that it works
      at += random.int(1, 4) * MINUTE;
    }
    topUp(random.pick([100, 200, 300, 500, 500, 1000, 1000, 1000, 2000, 3000, 5000]) * YUAN);
    const payments = random.chance(0.5) ? 1 : random.chance(0.6) ? 2 : 3;
    for (let index = 0; index < payments; index += 1) {
      at += random.int(2, 15) * MINUTE;
      if (index > 0 && random.chance(0.15)) {
        topUp(random.pick([100, 200, 500, 1000]) * YUAN);
        at += random.int(1, 5) * MINUTE;
      }
      const base = { at, label: 'normal' as Label, holder: holder.id, deviceId: holder.device, ip: ipNow() };
      const roll = random.next();
      if (roll < 0.7 && holder.friends.length > 0) {
        const friend = this.holders[random.pick(holder.friends)] as Holder;
        // Small (a meal paid back), half (a shared purchase), or most of it (a debt, a gift).
        const fraction = random.chance(0.4)
          ? random.uniform(0.03, 0.3)
          : random.chance(0.6)
            ? random.uniform(0.3, 0.7)
            : random.uniform(0.7, 0.95);
        this.pay({
          ...base,
          kind: 'transfer',
          payee: `user:${friend.id}`,
          payeeHolderId: friend.id,
          card: null,
          amount: { fraction },
          fundingCard: null,
        });
      } else if (roll < 0.85) {
        // Rent or a deposit, to a landlord's bank account: most of what was topped up.
        this.pay({
          ...base,
          kind: 'bank_transfer',
          payee: `bank:${random.hex(16)}`,
          payeeHolderId: null,
          card: null,
          amount: { fraction: random.uniform(0.5, 0.95) },
          fundingCard: null,
        });
      } else {
        this.pay({
          ...base,
          kind: 'payment_request',
          payee: random.pick(holder.merchants), // every city has shops (populate)
          payeeHolderId: null,
          card: null,
          amount: { fraction: random.uniform(0.02, 0.3) },
          fundingCard: null,
        });
      }
    }
  }

  private signIn(holder: { id: string }, at: number, deviceId: string, ip: string, label: Label): void {
    this.drafts.push({ type: 'sign_in', at: Math.round(at), label, holder: holder.id, deviceId, ip });
  }

  private ipFor(holder: Holder, at: number, away: { ips: string[] } | null): string {
    const { random } = this;
    // A carrier's address is sometimes placed in another city (mobile data leaving elsewhere).
    if (random.chance(0.004)) return cityIp(random, random.int(0, CITIES.length - 1));
    if (holder.vpn && random.chance(0.15)) return proxyIp(random);
    if (away) return random.pick(away.ips);
    const hour = Math.floor(((at - SIMULATION_START.getTime()) % DAY) / HOUR);
    const weekday = Math.floor((at - SIMULATION_START.getTime()) / DAY) % 7 < 5;
    if (holder.officeIp !== null && weekday && hour >= 9 && hour < 18 && random.chance(0.7))
      return holder.officeIp;
    if (hour >= 19 || hour < 8) return random.chance(0.7) ? holder.homeIp : random.pick(holder.mobileIps);
    return random.pick(holder.mobileIps);
  }

  private everydayPayment(
    holder: Holder,
    at: number,
    deviceId: string,
    away: { ips: string[]; merchants: string[] } | null,
  ): void {
    const { random } = this;
    const ip = this.ipFor(holder, at, away);
    const onTablet = holder.tablet !== null && random.chance(0.1);
    const base = {
      at,
      label: 'normal' as Label,
      holder: holder.id,
      deviceId: onTablet ? holder.tablet : deviceId,
      ip,
      fundingCard: this.fundingCard(holder),
    };
    // Now and then something bigger: an appliance, a deposit, a gift.
    const scale = random.chance(0.015) ? random.uniform(8, 40) : 1;
    const roll = random.next();
    if (roll < 0.65 || (away && roll < 0.85)) {
      const merchant =
        away && random.chance(0.8)
          ? random.pick(away.merchants)
          : random.chance(0.85) && holder.merchants.length > 0
            ? random.pick(holder.merchants)
            : random.pick(this.merchantsByCity[holder.home] ?? holder.merchants);
      this.pay({
        ...base,
        kind: 'payment_request',
        payee: merchant,
        payeeHolderId: null,
        card: null,
        amount: { minor: amountOf(random.lognormal(holder.typicalMinor, 0.9) * scale) },
      });
    } else if (roll < 0.93) {
      const known = holder.friends.length > 0 && random.chance(0.93);
      const other = known ? (this.holders[random.pick(holder.friends)] as Holder) : random.pick(this.holders);
      if (other.id === holder.id) return;
      this.pay({
        ...base,
        kind: 'transfer',
        payee: `user:${other.id}`,
        payeeHolderId: other.id,
        card: null,
        amount: { minor: amountOf(random.lognormal(holder.typicalMinor * 1.5, 1.0) * scale) },
      });
    } else if (roll < 0.96) {
      // Withdraw a good part of the balance to one's own card, usually the one topped up from.
      const card = random.chance(0.9) ? (holder.cards[0] as Card) : random.pick(holder.cards);
      this.pay({
        ...base,
        kind: 'withdrawal',
        payee: `card:${card.id}`,
        payeeHolderId: null,
        card,
        amount: { fraction: random.uniform(0.3, 0.95) },
        fundingCard: null,
      });
    } else {
      // To a relative's bank account; rarely a new one (a landlord, a new account of one's own).
      const payee = random.chance(0.1) ? `bank:${random.hex(16)}` : holder.familyBank;
      this.pay({
        ...base,
        kind: 'bank_transfer',
        payee,
        payeeHolderId: null,
        card: null,
        amount: { minor: amountOf(random.lognormal(holder.typicalMinor * 8, 0.8) * scale) },
      });
    }
  }

  private fundingCard(holder: Holder): Card | null {
    const first = holder.cards[0] ?? null;
    return holder.cards.length > 1 && this.random.chance(0.35) ? this.random.pick(holder.cards) : first;
  }

  /** Forgot the PIN: a wrong PIN or three, a reset, then usually a payment at a usual shop. */
  private forgotPin(holder: Holder, at: number, deviceId: string): void {
    const { random } = this;
    const failures = random.int(1, 4);
    for (let index = 0; index < failures; index += 1) {
      this.drafts.push({
        type: 'factor_failure',
        at: at + index * 20_000,
        label: 'normal',
        holder: holder.id,
      });
    }
    const resetAt = at + failures * 20_000 + random.int(1, 10) * MINUTE;
    this.drafts.push({ type: 'credential_reset', at: resetAt, label: 'normal', holder: holder.id });
    if (random.chance(0.6) && holder.merchants.length > 0) {
      this.pay({
        at: resetAt + random.int(1, 15) * MINUTE,
        label: 'normal',
        holder: holder.id,
        kind: 'payment_request',
        payee: random.pick(holder.merchants),
        payeeHolderId: null,
        deviceId,
        ip: random.pick(holder.mobileIps),
        card: null,
        amount: { minor: amountOf(random.lognormal(holder.typicalMinor, 0.9)) },
        fundingCard: this.fundingCard(holder),
      });
    }
    if (random.chance(0.15)) {
      const card = random.pick(holder.cards);
      this.pay({
        at: resetAt + random.int(20, 300) * MINUTE,
        label: 'normal',
        holder: holder.id,
        kind: 'withdrawal',
        payee: `card:${card.id}`,
        payeeHolderId: null,
        deviceId,
        ip: holder.homeIp,
        card,
        amount: { fraction: random.uniform(0.3, 0.9) },
        fundingCard: null,
      });
    }
  }

  private splitBill(organizer: Holder, dayStart: number, day: number): void {
    const { random } = this;
    const at = dayStart + (day % 7 >= 5 ? 13 : 20) * HOUR + random.int(0, 90) * MINUTE;
    const payers = organizer.friends.filter(() => random.chance(0.8)).slice(0, 8);
    const share = amountOf(random.uniform(40, 300) * YUAN);
    for (const payerIndex of payers) {
      const payer = this.holders[payerIndex] as Holder;
      const paidAt = at + random.int(1, 90) * MINUTE;
      this.pay({
        at: paidAt,
        label: 'normal',
        holder: payer.id,
        kind: 'transfer',
        payee: `user:${organizer.id}`,
        payeeHolderId: organizer.id,
        deviceId: payer.device,
        ip: this.ipFor(payer, paidAt, null),
        card: null,
        amount: { minor: share },
        fundingCard: this.fundingCard(payer),
      });
    }
  }

  /** A second-hand sale: a stranger pays the seller, sometimes a fair amount. */
  private sell(seller: Holder, at: number): void {
    const { random } = this;
    const buyer = random.pick(this.holders);
    if (buyer.id === seller.id) return;
    this.pay({
      at,
      label: 'normal',
      holder: buyer.id,
      kind: 'transfer',
      payee: `user:${seller.id}`,
      payeeHolderId: seller.id,
      deviceId: buyer.device,
      ip: this.ipFor(buyer, at, null),
      card: null,
      amount: { minor: amountOf(random.lognormal(200 * YUAN, 0.9)) },
      fundingCard: this.fundingCard(buyer),
    });
  }

  // ─── Fraud ────────────────────────────────────────────────────────────────────────────────────

  frauds(): void {
    const { random } = this;
    const scale = (this.size * this.days) / 30_000;
    const count = (perThousandMonth: number) => Math.max(1, Math.round(perThousandMonth * scale));
    const measuredDay = () => this.warmupDays + random.int(0, this.days - 1);
    const victim = () => random.pick(this.holders);
    for (let n = count(10); n > 0; n -= 1) {
      const drop = `bank:${random.hex(16)}`;
      this.knownDrops.push(drop);
      const at = SIMULATION_START.getTime();
      this.drafts.push({ type: 'list', at, label: 'normal', action: 'deny', list: 'payee', value: drop });
    }

    for (let n = count(25); n > 0; n -= 1) this.accountTakeover(victim(), measuredDay());
    for (let n = count(5); n > 0; n -= 1) this.cardTesting(measuredDay());
    let chained = 0;
    for (let n = count(5); n > 0; n -= 1) {
      const end = this.muleFanIn(measuredDay());
      if (end !== null && random.chance(0.5)) {
        this.muleFanOut(end.mule, end.at + random.int(30, 180) * MINUTE, end.deviceId);
        chained += 1;
      }
    }
    for (let n = count(6) - chained; n > 0; n -= 1) this.recruitedMule(measuredDay());
    for (let n = count(25); n > 0; n -= 1) this.nightNewPayee(victim(), measuredDay());
    for (let n = count(20); n > 0; n -= 1) this.simSwap(victim(), measuredDay());
  }

  /** An account opened by a fraudster (a drop, a card tester, a mule): its balance starts at zero. */
  private freshAccount(): string {
    return `h${this.random.hex(12)}`;
  }

  /** A fraudster's destination: a bank account or a wallet opened for the purpose. */
  private dropPayee(bankShare: number): { payee: string; payeeHolderId: string | null; kind: string } {
    if (this.knownDrops.length > 0 && this.random.chance(0.1)) {
      return { payee: this.random.pick(this.knownDrops), payeeHolderId: null, kind: 'bank_transfer' };
    }
    if (this.random.chance(bankShare))
      return { payee: `bank:${this.random.hex(16)}`, payeeHolderId: null, kind: 'bank_transfer' };
    const drop = this.freshAccount();
    return { payee: `user:${drop}`, payeeHolderId: drop, kind: 'transfer' };
  }

  /** Somewhere else: a city at least 300 km away, or a proxy abroad. */
  private farIp(home: number): string {
    const { random } = this;
    if (random.chance(0.3)) return proxyIp(random);
    for (let tries = 0; tries < 20; tries += 1) {
      const city = random.int(0, CITIES.length - 1);
      if (cityDistanceKm(home, city) > 300) return cityIp(random, city);
    }
    return proxyIp(random);
  }

  private accountTakeover(holder: Holder, day: number): void {
    const { random } = this;
    let at = this.dayStart(day) + this.timeOfDay(random.chance(0.3));
    const withSignIn = random.chance(0.75);
    // A phished password may be used nearby; a stolen session is replayed from elsewhere.
    const ip = withSignIn && random.chance(0.15) ? cityIp(random, holder.home) : this.farIp(holder.home);
    let deviceId: string;
    if (withSignIn) {
      // Phished password: sign in on the fraudster's phone.
      deviceId = device(random);
      this.signIn(holder, at, deviceId, ip, 'setup');
      if (random.chance(0.3)) {
        for (let index = random.int(2, 4); index > 0; index -= 1) {
          at += random.int(10, 60) * 1000;
          this.drafts.push({ type: 'factor_failure', at, label: 'setup', holder: holder.id });
        }
      }
    } else {
      // A stolen session: the holder's own device id, from elsewhere, no sign-in.
      deviceId = holder.device;
    }
    const payments = random.chance(0.5) ? 1 : random.chance(0.6) ? 2 : 3;
    for (let index = 0; index < payments; index += 1) {
      at += random.int(2, 20) * MINUTE;
      const drop = random.chance(0.2)
        ? { payee: `card:c${random.hex(12)}`, payeeHolderId: null, kind: 'withdrawal' }
        : this.dropPayee(0.6);
      this.pay({
        at,
        label: 'account_takeover',
        holder: holder.id,
        ...drop,
        deviceId,
        ip,
        card: drop.kind === 'withdrawal' ? newCard(random) : null,
        // Most of what is there, in one go or in a few (limits, or to look less like a drain).
        amount: { fraction: index === payments - 1 ? random.uniform(0.85, 1) : random.uniform(0.5, 0.8) },
        fundingCard: null,
      });
    }
  }

  private cardTesting(day: number): void {
    const { random } = this;
    const account = this.freshAccount();
    const deviceId = device(random);
    const ip = random.chance(0.3) ? proxyIp(random) : cityIp(random, pickWeighted(random, CITY_WEIGHTS));
    let at = this.dayStart(day) + this.timeOfDay(random.chance(0.4));
    this.signIn({ id: account }, at, deviceId, ip, 'setup');
    const attempts = random.int(15, 40);
    const spanMs = random.uniform(4, 20) * MINUTE;
    const bins = [random.pick(BANK_BINS), `4${random.int(10000, 99999)}`];
    const cards = Array.from({ length: Math.max(3, Math.round(attempts / random.uniform(1.2, 2.5))) }, () =>
      newCard(random, random.pick(bins)),
    );
    at += random.int(1, 5) * MINUTE;
    for (let index = 0; index < attempts; index += 1) {
      const card = cards[Math.min(cards.length - 1, Math.floor((index / attempts) * cards.length))] as Card;
      this.pay({
        at: Math.round(at + (index / attempts) * spanMs + random.int(0, 20_000)),
        label: 'card_testing',
        holder: account,
        kind: 'top_up',
        payee: `card:${card.id}`,
        payeeHolderId: null,
        deviceId,
        ip,
        card,
        amount: { minor: random.pick([1, 1, 100, 100, 500, 1000, random.int(1, 2000)]) },
        fundingCard: null,
      });
    }
  }

  /** Victims of a scam pay one collecting account within an hour; answers the mule and the end. */
  private muleFanIn(day: number): { mule: string; at: number; deviceId: string } | null {
    const { random } = this;
    const recruited = random.chance(0.5) ? random.pick(this.holders) : null;
    const mule = recruited?.id ?? this.freshAccount();
    const start = this.dayStart(day) + (9 + random.int(0, 13)) * HOUR + random.int(0, 59) * MINUTE;
    const payers = Math.min(this.holders.length - 1, random.int(15, 35));
    const chosen = new Set<Holder>();
    for (let tries = 0; chosen.size < payers && tries < payers * 10; tries += 1) {
      const payer = random.pick(this.holders);
      if (payer.id !== mule) chosen.add(payer);
    }
    let last = start;
    for (const payer of chosen) {
      const at = start + Math.floor(random.next() * HOUR);
      last = Math.max(last, at);
      this.pay({
        at,
        label: 'mule_fan_in',
        holder: payer.id,
        kind: 'transfer',
        payee: `user:${mule}`,
        payeeHolderId: mule,
        deviceId: payer.device,
        ip: this.ipFor(payer, at, null),
        card: null,
        amount: {
          minor: amountOf(Math.min(20_000 * YUAN, Math.max(200 * YUAN, random.lognormal(1500 * YUAN, 0.6)))),
        },
        fundingCard: payer.cards[0] ?? null,
      });
    }
    if (chosen.size === 0) return null;
    return { mule, at: last, deviceId: recruited?.device ?? device(random) };
  }

  /** A holder who rents out the account: money arrives from upstream, then fans out. */
  private recruitedMule(day: number): void {
    const { random } = this;
    const mule = random.pick(this.holders);
    const upstream = this.freshAccount();
    const card = newCard(random);
    const at = this.dayStart(day) + (8 + random.int(0, 14)) * HOUR + random.int(0, 59) * MINUTE;
    const amount = amountOf(random.uniform(20_000, 80_000) * YUAN);
    const upstreamDevice = device(random);
    const upstreamIp = cityIp(random, random.int(0, CITIES.length - 1));
    this.pay({
      at,
      label: 'setup',
      holder: upstream,
      kind: 'top_up',
      payee: `card:${card.id}`,
      payeeHolderId: null,
      deviceId: upstreamDevice,
      ip: upstreamIp,
      card,
      amount: { minor: amount },
      fundingCard: null,
    });
    this.pay({
      at: at + random.int(1, 10) * MINUTE,
      label: 'setup',
      holder: upstream,
      kind: 'transfer',
      payee: `user:${mule.id}`,
      payeeHolderId: mule.id,
      deviceId: upstreamDevice,
      ip: upstreamIp,
      card: null,
      amount: { minor: amount },
      fundingCard: null,
    });
    this.muleFanOut(mule.id, at + random.int(15, 120) * MINUTE, mule.device);
  }

  private muleFanOut(mule: string, start: number, deviceId: string): void {
    const { random } = this;
    const payments = random.int(8, 20);
    const spanMs = random.uniform(10, 50) * MINUTE;
    const holder = this.holders.find((candidate) => candidate.id === mule);
    const ip = holder ? random.pick(holder.mobileIps) : cityIp(random, random.int(0, CITIES.length - 1));
    for (let index = 0; index < payments; index += 1) {
      this.pay({
        at: Math.round(start + (index / payments) * spanMs),
        label: 'mule_fan_out',
        holder: mule,
        ...this.dropPayee(0.7),
        deviceId,
        ip,
        card: null,
        amount: { fraction: random.uniform(0.8, 1) / (payments - index) },
        fundingCard: null,
      });
    }
  }

  /** A victim coached at night by a scammer sends a large sum to a new payee from their own phone. */
  private nightNewPayee(holder: Holder, day: number): void {
    const { random } = this;
    let at = this.dayStart(day) + 30 * MINUTE + Math.floor(random.next() * 4 * HOUR);
    const transfers = random.chance(0.7) ? 1 : 2;
    for (let index = 0; index < transfers; index += 1) {
      this.pay({
        at,
        label: 'night_new_payee',
        holder: holder.id,
        ...this.dropPayee(0.5),
        deviceId: holder.device,
        ip: holder.homeIp,
        card: null,
        amount: { minor: amountOf(Math.max(500 * YUAN, random.lognormal(4000 * YUAN, 0.8))) },
        fundingCard: holder.cards[0] ?? null,
      });
      at += random.int(5, 20) * MINUTE;
    }
  }

  /** The phone number is moved to the fraudster's SIM: reset, sign in, pay out at once. */
  private simSwap(holder: Holder, day: number): void {
    const { random } = this;
    let at = this.dayStart(day) + (8 + random.int(0, 14)) * HOUR + random.int(0, 59) * MINUTE;
    this.drafts.push({ type: 'credential_reset', at, label: 'setup', holder: holder.id });
    const deviceId = device(random);
    const ip = random.chance(0.7) ? cityIp(random, holder.home) : this.farIp(holder.home);
    at += random.int(1, 5) * MINUTE;
    this.signIn(holder, at, deviceId, ip, 'setup');
    const payouts = random.chance(0.6) ? 1 : 2;
    for (let index = 0; index < payouts; index += 1) {
      at += random.int(2, 30) * MINUTE;
      const toCard = random.chance(0.5);
      const card = newCard(random);
      this.pay({
        at,
        label: 'sim_swap',
        holder: holder.id,
        kind: toCard ? 'withdrawal' : 'bank_transfer',
        payee: toCard ? `card:${card.id}` : `bank:${random.hex(16)}`,
        payeeHolderId: null,
        deviceId,
        ip,
        card: toCard ? card : null,
        amount: { fraction: index === payouts - 1 ? random.uniform(0.85, 1) : random.uniform(0.5, 0.8) },
        fundingCard: null,
      });
    }
  }

  // ─── Balances, in time order ──────────────────────────────────────────────────────────────────

  settle(): SyntheticEvent[] {
    const { random } = this;
    const order = this.drafts
      .map((draft, index) => ({ draft, index }))
      .filter(({ draft }) => draft.at < this.end)
      .sort((a, b) => a.draft.at - b.draft.at || a.index - b.index);
    const balances = new Map<string, number>(
      this.holders.map((holder) => [holder.id, holder.initialBalanceMinor]),
    );
    const events: SyntheticEvent[] = [];
    for (const { draft } of order) {
      const at = new Date(draft.at);
      const measured = draft.at >= this.measuredFrom;
      if (draft.type === 'sign_in') {
        events.push({
          type: 'sign_in',
          at,
          label: draft.label,
          measured,
          facts: { subject: 'sign_in', holderId: draft.holder, deviceId: draft.deviceId, ip: draft.ip, at },
        });
        continue;
      }
      if (draft.type === 'credential_reset' || draft.type === 'factor_failure') {
        events.push({ type: draft.type, at, label: draft.label, measured, holderId: draft.holder });
        continue;
      }
      if (draft.type === 'list') {
        const { action, list, value } = draft;
        events.push({ type: 'list', at, label: draft.label, measured, action, list, value });
        continue;
      }
      let balance = balances.get(draft.holder) ?? 0;
      let amount: number;
      if ('fraction' in draft.amount) {
        amount = Math.floor((balance * draft.amount.fraction) / YUAN) * YUAN;
        if (amount < YUAN) continue; // nothing worth taking
      } else {
        amount = draft.amount.minor;
        if (draft.kind !== 'top_up' && amount > balance) {
          if (draft.fundingCard === null) continue; // the ledger would refuse it anyway
          // Some top up exactly what is missing, most a round sum.
          const topUp = random.chance(0.3)
            ? Math.ceil((amount - balance) / YUAN) * YUAN
            : Math.max(
                Math.ceil((amount - balance) / (100 * YUAN)) * 100 * YUAN,
                random.pick([200, 500, 1000, 2000]) * YUAN,
              );
          events.push(
            paymentEvent(
              {
                ...draft,
                kind: 'top_up',
                payee: `card:${draft.fundingCard.id}`,
                payeeHolderId: null,
                card: draft.fundingCard,
                label: draft.label === 'normal' ? 'normal' : 'setup',
              },
              topUp,
              balance,
              measured,
            ),
          );
          balance += topUp;
        }
      }
      events.push(paymentEvent(draft, amount, balance, measured));
      if (draft.kind === 'top_up') {
        balances.set(draft.holder, balance + amount);
      } else {
        balances.set(draft.holder, balance - amount);
        if (draft.payeeHolderId !== null) {
          balances.set(draft.payeeHolderId, (balances.get(draft.payeeHolderId) ?? 0) + amount);
        }
      }
    }
    return events;
  }
}

function paymentEvent(
  draft: PaymentDraft,
  amount: number,
  balance: number,
  measured: boolean,
): SyntheticEvent {
  const at = new Date(draft.at);
  return {
    type: 'payment',
    at,
    label: draft.label,
    measured,
    facts: {
      subject: 'payment',
      kind: draft.kind,
      holderId: draft.holder,
      amountMinor: BigInt(amount),
      currency: 'CNY',
      payee: draft.payee,
      payeeHolderId: draft.payeeHolderId,
      deviceId: draft.deviceId,
      ip: draft.ip,
      cardId: draft.card?.id ?? null,
      cardBin: draft.card?.bin ?? null,
      balanceMinor: BigInt(balance),
      at,
    },
  };
}

/** A payment amount in whole fen, at least 1 fen. */
function amountOf(minor: number): number {
  return Math.max(1, Math.round(minor));
}
