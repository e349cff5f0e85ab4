/**
 * The risk state in memory, for the synthetic evaluation, backtests and tests. It applies exactly
 * the changes features.ts lists for each event, so it answers what the PostgreSQL store answers;
 * its windows are exact (it keeps each counter event's time, and forgets those older than the
 * longest window), where the database may count in time buckets.
 *
 * Counter events are expected roughly in time order (a stream); an event older than the newest of
 * its counter is still placed correctly, just more slowly.
 */
import {
  MAX_WINDOW_SECONDS,
  attemptChanges,
  credentialResetChanges,
  emptyHistogram,
  factorFailureChanges,
  priorWindows,
  receivedChanges,
  refundChanges,
  refundPayee,
  signInChanges,
  stateWindows,
  successChanges,
} from './features.ts';
import type { StateChange, StateWindow } from './features.ts';
import type {
  Facts,
  Judgement,
  ListName,
  MerchantRefundFacts,
  PaymentFacts,
  ReceivedFacts,
  Place,
  RiskState,
  RiskStateStore,
  SignInFacts,
  WindowTotals,
} from './types.ts';

/** One counter's events, oldest first; `start` skips the forgotten ones until the next compaction. */
interface CounterEvents {
  times: number[];
  amounts: number[];
  start: number;
}

const MAX_WINDOW_MS = MAX_WINDOW_SECONDS * 1000;
/** Compact a counter's arrays once this many forgotten events sit at their front. */
const COMPACT_AFTER = 64;

export class MemoryRiskStateStore implements RiskStateStore {
  private readonly counters = new Map<string, CounterEvents>();
  private readonly histograms = new Map<string, number[]>();
  /** holder → payee → first paid; holder → device → first seen. */
  private readonly payeesFirstPaid = new Map<string, Map<string, Date>>();
  private readonly devicesFirstSeen = new Map<string, Map<string, Date>>();
  private readonly signIns = new Map<string, { at: Date; place: Place | null }>();
  private readonly resets = new Map<string, Date>();
  private readonly lists = {
    deny: new Map<ListName, Set<string>>(),
    allow: new Map<ListName, Set<string>>(),
  };

  /** `placeOf` turns an IP into a place (the places adapter in the server, a table in tests). */
  constructor(private readonly options: { placeOf: (ip: string) => Place | null }) {}

  deny(list: ListName, value: string): void {
    listOf(this.lists.deny, list).add(value);
  }

  allow(list: ListName, value: string): void {
    listOf(this.lists.allow, list).add(value);
  }

  read(facts: Facts): Promise<RiskState> {
    return Promise.resolve(this.readNow(facts));
  }

  /** The same as `read`, synchronously (the evaluation judges a hundred thousand events). */
  readNow(facts: Facts): RiskState {
    const windows = this.windows(stateWindows(facts), facts.at.getTime());
    const deny: ListName[] = [];
    const allow: ListName[] = [];
    if (this.lists.deny.size > 0 || this.lists.allow.size > 0) {
      for (const [list, value] of listValues(facts)) {
        if (value === null) continue;
        if (this.lists.deny.get(list)?.has(value)) deny.push(list);
        if (this.lists.allow.get(list)?.has(value)) allow.push(list);
      }
    }
    if (facts.subject === 'merchant_refund') {
      // A refund reads the merchant's windows and the payee lists only: no holder's state.
      return { ...NOTHING_OF_A_HOLDER, windows, lists: { deny, allow } };
    }
    const payment = facts.subject === 'payment' ? facts : null;
    const histogram = payment ? this.histograms.get(facts.holderId) : undefined;
    return {
      windows,
      amountHistogram: histogram === undefined ? null : [...histogram],
      payeeFirstPaidAt: payment
        ? (this.payeesFirstPaid.get(facts.holderId)?.get(payment.payee) ?? null)
        : null,
      deviceFirstSeenAt:
        facts.deviceId === null
          ? null
          : (this.devicesFirstSeen.get(facts.holderId)?.get(facts.deviceId) ?? null),
      holderFirstSeenAt: earliest(this.devicesFirstSeen.get(facts.holderId)),
      lastSignIn: this.signIns.get(facts.holderId) ?? null,
      place: facts.ip === null ? null : this.options.placeOf(facts.ip),
      lastCredentialResetAt: this.resets.get(facts.holderId) ?? null,
      lists: { deny, allow },
    };
  }

  recordAttempt(facts: PaymentFacts, _judgement: Judgement): Promise<void> {
    this.recordAttemptNow(facts);
    return Promise.resolve();
  }

  recordAttemptNow(facts: PaymentFacts): void {
    const prior = {
      windows: this.windows(priorWindows(facts), facts.at.getTime()),
      payeeFirstPaidAt: this.payeesFirstPaid.get(facts.holderId)?.get(facts.payee) ?? null,
    };
    this.apply(attemptChanges(facts, prior));
  }

  recordSuccess(facts: PaymentFacts): Promise<void> {
    this.apply(successChanges(facts));
    return Promise.resolve();
  }

  recordRefund(facts: MerchantRefundFacts): Promise<void> {
    this.apply(refundChanges(facts));
    return Promise.resolve();
  }

  recordReceived(facts: ReceivedFacts): Promise<void> {
    this.apply(receivedChanges(facts));
    return Promise.resolve();
  }

  recordSignIn(facts: SignInFacts, place: Place | null): Promise<void> {
    this.apply(signInChanges(facts, place));
    return Promise.resolve();
  }

  recordCredentialReset(holderId: string, at: Date): Promise<void> {
    this.apply(credentialResetChanges(holderId, at));
    return Promise.resolve();
  }

  recordFactorFailure(holderId: string, at: Date): Promise<void> {
    this.apply(factorFailureChanges(holderId, at));
    return Promise.resolve();
  }

  /** Apply changes as features.ts defines them. */
  apply(changes: readonly StateChange[]): void {
    for (const change of changes) {
      switch (change.type) {
        case 'counter':
          this.addCounterEvent(change.key, change.at.getTime(), change.amount);
          break;
        case 'amount': {
          let histogram = this.histograms.get(change.holderId);
          if (histogram === undefined) {
            histogram = emptyHistogram();
            this.histograms.set(change.holderId, histogram);
          }
          histogram[change.bin] = (histogram[change.bin] ?? 0) + change.weight;
          break;
        }
        case 'payee_first_paid':
          keepEarliest(this.payeesFirstPaid, change.holderId, change.payee, change.at);
          break;
        case 'device_seen':
          keepEarliest(this.devicesFirstSeen, change.holderId, change.deviceId, change.at);
          break;
        case 'sign_in': {
          const last = this.signIns.get(change.holderId);
          if (last === undefined || last.at <= change.at) {
            this.signIns.set(change.holderId, { at: change.at, place: change.place });
          }
          break;
        }
        case 'credential_reset': {
          const last = this.resets.get(change.holderId);
          if (last === undefined || last <= change.at) this.resets.set(change.holderId, change.at);
          break;
        }
      }
    }
  }

  private windows(wanted: readonly StateWindow[], at: number): Record<string, WindowTotals> {
    const windows: Record<string, WindowTotals> = {};
    for (const { counterKey, seconds, key } of wanted) {
      const totals = this.totals(counterKey, at, seconds * 1000);
      if (totals !== null) windows[key] = totals;
    }
    return windows;
  }

  private addCounterEvent(key: string, at: number, amount: number): void {
    let events = this.counters.get(key);
    if (events === undefined) {
      events = { times: [], amounts: [], start: 0 };
      this.counters.set(key, events);
    }
    const { times, amounts } = events;
    const last = times.at(-1);
    if (last === undefined || last <= at) {
      times.push(at);
      amounts.push(amount);
    } else {
      const index = firstAfter(times, events.start, at);
      times.splice(index, 0, at);
      amounts.splice(index, 0, amount);
    }
    // Forget what no window can see any more.
    events.start = firstAfter(times, events.start, at - MAX_WINDOW_MS - 1);
    if (events.start >= COMPACT_AFTER) {
      events.times = times.slice(events.start);
      events.amounts = amounts.slice(events.start);
      events.start = 0;
    }
  }

  /** Events in (at − window, at]: the window ends at the judged instant, later events excluded. */
  private totals(key: string, at: number, windowMs: number): WindowTotals | null {
    const events = this.counters.get(key);
    if (events === undefined) return null;
    const from = firstAfter(events.times, events.start, at - windowMs);
    const to = firstAfter(events.times, from, at);
    let sum = 0;
    if (to === from) return null;
    for (let index = from; index < to; index += 1) sum += events.amounts[index] ?? 0;
    return { count: to - from, sum };
  }
}

const NOTHING_OF_A_HOLDER: Omit<RiskState, 'windows' | 'lists'> = {
  amountHistogram: null,
  payeeFirstPaidAt: null,
  deviceFirstSeenAt: null,
  holderFirstSeenAt: null,
  lastSignIn: null,
  place: null,
  lastCredentialResetAt: null,
};

/** The first index ≥ `start` whose time is > `time` (times sorted ascending). */
function firstAfter(times: readonly number[], start: number, time: number): number {
  let low = start;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] ?? Infinity) <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

function keepEarliest(map: Map<string, Map<string, Date>>, holderId: string, key: string, at: Date): void {
  let times = map.get(holderId);
  if (times === undefined) {
    times = new Map();
    map.set(holderId, times);
  }
  const known = times.get(key);
  if (known === undefined || at < known) times.set(key, at);
}

/** The earliest of a holder's first times (the holder's first sight: its devices'); null: none. */
function earliest(times: Map<string, Date> | undefined): Date | null {
  let first: Date | null = null;
  for (const at of times?.values() ?? []) if (first === null || at < first) first = at;
  return first;
}

function listOf(lists: Map<ListName, Set<string>>, list: ListName): Set<string> {
  let values = lists.get(list);
  if (values === undefined) {
    values = new Set();
    lists.set(list, values);
  }
  return values;
}

/** The values of a request that the deny and allow lists are checked against. */
function listValues(facts: Facts): [ListName, string | null][] {
  if (facts.subject === 'merchant_refund') return [['payee', refundPayee(facts)]];
  const values: [ListName, string | null][] = [
    ['device', facts.deviceId],
    ['ip', facts.ip],
  ];
  if (facts.subject === 'payment') values.push(['payee', facts.payee], ['card_bin', facts.cardBin]);
  return values;
}
