import { describe, expect, it } from 'vitest';
import type { HostMessage, QueryResult } from '../src/shared/contract';
import { ManualClock } from '../src/main/kernel/clock';
import type { Engine, EngineListener } from '../src/main/ports/engine';
import { EngineHost } from '../src/main/host/engineHost';
import { E_RICH, harness } from './helpers/engineHarness';

function setup() {
  return harness();
}

function collect(host: EngineHost) {
  const messages: HostMessage[] = [];
  host.subscribe((message) => messages.push(message));
  const snapshots = () => messages.filter((m) => m.kind === 'snapshot').map((m) => m.snapshot);
  return { messages, snapshots };
}

/** An engine whose state changes whenever the test says so. */
class CountingEngine implements Engine {
  listener: EngineListener | null = null;
  value = 0;
  setListener(listener: EngineListener) {
    this.listener = listener;
  }
  async start() {}
  async stop() {}
  readonly base = harness().engine.snapshot();
  snapshot() {
    return { ...this.base, heartbeat: this.value };
  }
  async execute() {
    return { ok: true as const, message: 'ok' };
  }
  async query(): Promise<QueryResult> {
    return { ok: false as const, error: { code: 'UNAVAILABLE' as const, message: 'none' } };
  }
  bump() {
    this.value += 1;
    this.listener?.changed();
  }
}

describe('EngineHost', () => {
  it('gives a new viewer the full current snapshot first, then recent events', async () => {
    const { host, clock, boot } = setup();
    await boot();
    await host.command({ type: 'arm' });
    await clock.advance(3000);
    const messages: HostMessage[] = [];
    host.subscribe((message) => messages.push(message));
    expect(messages[0]?.kind).toBe('snapshot');
    const first = messages[0];
    if (first?.kind !== 'snapshot') throw new Error('no snapshot');
    expect(first.snapshot.safety.armed).toBe(true);
    expect(first.snapshot.heartbeat).toBeGreaterThanOrEqual(12);
    expect(first.snapshot.startup.map((step) => step.status)).toEqual(Array(7).fill('done'));
    // Then what a reload keeps (the chart's samples and the decisions), then recent events (start-up
    // progress, the arm command), in order.
    expect(messages[1]?.kind).toBe('history');
    const events = messages.slice(2).map((m) => (m.kind === 'event' ? m.event.type : m.kind));
    expect(events[0]).toBe('log');
    expect(events).toContain('startup');
    expect(events.at(-1)).not.toBe('snapshot');
    expect(events.filter((type) => type === 'command')).toHaveLength(1);
  });

  it('keeps the chart samples (one a second) and the decisions for a viewer that comes back, even when nobody watched meanwhile', async () => {
    const h = setup();
    const { host, clock } = h;
    await h.boot(E_RICH);
    await host.command({ type: 'arm' });
    const first: HostMessage[] = [];
    const leave = host.subscribe((message) => first.push(message));
    for (let i = 0; i < 5; i++) {
      h.setE(...E_RICH.E);
      await clock.advance(1000);
    }
    leave();
    // Nobody watching for five seconds: the samples go on.
    for (let i = 0; i < 5; i++) {
      h.setE(...E_RICH.E);
      await clock.advance(1000);
    }
    const again: HostMessage[] = [];
    host.subscribe((message) => again.push(message));
    const history = again.find((message) => message.kind === 'history');
    if (history?.kind !== 'history') throw new Error('no history message');
    expect(history.history.spreads.length).toBeGreaterThanOrEqual(9);
    const times = history.history.spreads.map((sample) => sample.t);
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] as number) >= 1000)).toBe(true);
    expect(history.history.spreads.at(-1)?.raw.MT_LE).toMatch(/^-?\d+(\.\d+)?$/);
    expect(history.history.decisions.length).toBeGreaterThan(0);
    // Decisions come once: in the history, not again among the replayed events.
    expect(again.filter((message) => message.kind === 'event' && message.event.type === 'decision')).toEqual([]);
  });

  it('coalesces snapshots to at most one per publish interval and always publishes the latest', async () => {
    const clock = new ManualClock();
    const engine = new CountingEngine();
    const host = new EngineHost(engine, { clock, publishIntervalMs: 50 });
    const { snapshots } = collect(host);
    // 1,000 changes spread over one simulated second: 20 snapshots at most, plus the join snapshot.
    for (let i = 0; i < 1000; i++) {
      engine.bump();
      await clock.advance(1);
    }
    await clock.advance(100);
    const published = snapshots().slice(1);
    expect(published.length).toBeGreaterThanOrEqual(19);
    expect(published.length).toBeLessThanOrEqual(21);
    for (let i = 1; i < published.length; i++) {
      expect(published[i]!.at - published[i - 1]!.at).toBeGreaterThanOrEqual(50);
      expect(published[i]!.seq).toBeGreaterThan(published[i - 1]!.seq);
    }
    expect(published.at(-1)?.heartbeat).toBe(1000);
  });

  it('publishes nothing while nothing changes', async () => {
    const clock = new ManualClock();
    const engine = new CountingEngine();
    const host = new EngineHost(engine, { clock });
    const { snapshots } = collect(host);
    await clock.advance(10_000);
    expect(snapshots()).toHaveLength(1);
  });

  it.each([
    [{ type: 'arm', confirmMainnet: 'yes' }, 'confirmMainnet', '"yes"'],
    [{ type: 'launch' }, 'type', '"launch"'],
    [{ type: 'setParams', params: { minSpread: 0.1 } }, 'params.minSpread', '0.1'],
    [{ type: 'setParams', params: { minSpread: '1000' } }, 'params.minSpread', '"1000"'],
    [{ type: 'setParams', params: { ttMinHits: 2.5 } }, 'params.ttMinHits', '2.5'],
    [{ type: 'setParams', params: { bogus: '1' } }, 'params.bogus', '"1"'],
    [{ type: 'manualHedge', venue: 'X', side: 'buy', qty: '1', confirm: true }, 'venue', '"X"'],
    [{ type: 'manualHedge', venue: 'L', side: 'buy', qty: '-1', confirm: true }, 'qty', '"-1"'],
    [{ type: 'flatten' }, 'confirm', 'undefined'],
    ['arm', '(command)', '"arm"']
  ])('refuses %j with a typed error naming %s and changes nothing', async (command, field, value) => {
    const { host } = setup();
    const before = collect(host).snapshots()[0];
    const result = await host.command(command);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_COMMAND');
    expect(result.error.field).toBe(field);
    expect(result.error.value).toBe(value);
    expect(result.error.message).toContain(field);
    const after = collect(host).snapshots()[0];
    expect(after?.params).toEqual(before?.params);
    expect(after?.safety).toEqual(before?.safety);
  });

  it('arms, disarms, kills and applies parameters', async () => {
    const { host } = setup();
    const view = collect(host);
    expect((await host.command({ type: 'arm' })).ok).toBe(true);
    expect(view.snapshots().at(-1)?.safety.armed).toBe(true);
    expect((await host.command({ type: 'kill' })).ok).toBe(true);
    expect(view.snapshots().at(-1)?.safety.armed).toBe(false);
    expect((await host.command({ type: 'setParams', params: { minSpread: '0.12', ttMinHits: 5 } })).ok).toBe(true);
    expect(view.snapshots().at(-1)?.params.minSpread).toBe('0.12');
    expect(view.snapshots().at(-1)?.params.ttMinHits).toBe(5);
  });

  it('refuses to arm on MAINNET without the confirmation', async () => {
    const { host } = harness({ mode: 'MAINNET' });
    const view = collect(host);
    const refused = await host.command({ type: 'arm' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('FORBIDDEN');
    expect(view.snapshots().at(-1)?.safety.armed).toBe(false);
    expect((await host.command({ type: 'arm', confirmMainnet: true })).ok).toBe(true);
    expect(view.snapshots().at(-1)?.safety.armed).toBe(true);
  });

  it('drops a viewer that throws and keeps serving the others', async () => {
    const { host, clock, boot } = setup();
    await boot();
    let calls = 0;
    host.subscribe(() => {
      calls += 1;
      if (calls > 1) throw new Error('window closed');
    });
    const healthy = collect(host);
    const before = healthy.snapshots().at(-1)?.heartbeat ?? 0;
    await clock.advance(2500);
    expect(host.viewerCount()).toBe(1);
    expect(healthy.snapshots().at(-1)?.heartbeat).toBe(before + 10);
  });
});

describe('EngineHost: reads and kills under a flood', () => {
  /** An engine whose reads finish only when the test says so, and which counts its kills. */
  class SlowReads extends CountingEngine {
    finish: Array<() => void> = [];
    kills = 0;
    override async query(): Promise<QueryResult> {
      await new Promise<void>((resolve) => this.finish.push(resolve));
      return { ok: true as const, history: { fills: [], hedges: [], roundTrips: [] } as never };
    }
    override async execute(command?: { type: string }) {
      if (command?.type === 'kill') {
        this.kills += 1;
        await new Promise<void>((resolve) => this.finish.push(resolve));
      }
      return { ok: true as const, message: 'ok' };
    }
  }

  it('runs one read at a time; two exports wait, more are refused at once; a stop answers the waiting ones', async () => {
    const engine = new SlowReads();
    const host = new EngineHost(engine, { clock: new ManualClock(0) });
    const answers = Array.from({ length: 6 }, () => host.query({ type: 'export', table: 'fills' }));
    const refused = await Promise.all(answers.slice(3));
    for (const answer of refused)
      expect(answer).toMatchObject({ ok: false, error: { code: 'REJECTED', message: expect.stringContaining('2 export(s) already waiting') } });
    expect(engine.finish).toHaveLength(1);
    await host.stop();
    expect(await answers[1]).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: 'the engine is stopping' } });
    expect(await answers[2]).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    // The running one is not waited for by the stop; it still answers when it is done.
    engine.finish.shift()?.();
    expect((await answers[0]!).ok).toBe(true);
  });

  it('kills sent while one runs join it: the engine runs one', async () => {
    const engine = new SlowReads();
    const host = new EngineHost(engine, { clock: new ManualClock(0) });
    const kills = Array.from({ length: 50 }, () => host.command({ type: 'kill' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(engine.kills).toBe(1);
    engine.finish.shift()?.();
    expect((await Promise.all(kills)).every((result) => result.ok)).toBe(true);
    expect(host.killsJoined).toBe(49);
    // The next kill after it is a kill of its own.
    const later = host.command({ type: 'kill' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(engine.kills).toBe(2);
    engine.finish.shift()?.();
    await later;
  });
});
