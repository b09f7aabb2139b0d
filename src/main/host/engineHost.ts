import type { Command, CommandResult, DecisionView, EngineEvent, EngineSnapshot, HostMessage, QueryResult, SpreadSample } from '../../shared/contract';
import { commandError, parseCommand, parseQuery } from '../../shared/commands';
import type { Clock, TimerHandle } from '../kernel/clock';
import type { Engine } from '../ports/engine';

export type Viewer = (message: HostMessage) => void;

/** The chart's history: a sample a second over three minutes; and the decisions a reload keeps. */
const SAMPLE_MS = 1000;
const SAMPLES_KEPT = 180;
const DECISIONS_KEPT = 200;
/** Reads waiting their turn, at most; of which exports. */
const MAX_QUEUED_READS = 16;
const MAX_QUEUED_EXPORTS = 2;

export interface EngineHostOptions {
  clock: Clock;
  /**
   * Minimum time between two published snapshots: 100 ms = at most 10 a second. The eye reads no
   * faster, and at 100 book updates a second per venue the page keeps every frame on time
   * (`npm run bench:ui`); commands publish at once regardless.
   */
  publishIntervalMs?: number;
  /** How many recent events a late viewer is replayed after its first snapshot. */
  recentEvents?: number;
  /** Called when a viewer throws; the viewer is dropped. */
  onViewerError?: (error: unknown) => void;
}

/**
 * Owns the engine and fans its state out to any number of viewers (Electron windows, headless
 * browser tabs). Snapshots are coalesced: however fast the engine changes, viewers get at most one
 * snapshot per `publishIntervalMs`, always the latest. Events are forwarded at once, in order.
 * Every command is validated against the shared contract before the engine sees it.
 */
export class EngineHost {
  private readonly viewers = new Set<Viewer>();
  private readonly eventTaps = new Set<(event: EngineEvent) => void>();
  private readonly recent: EngineEvent[] = [];
  /** The chart's samples (one a second, the last three minutes) and the last decisions, kept for a reload. */
  private readonly spreadSamples: SpreadSample[] = [];
  private readonly decisions: DecisionView[] = [];
  private lastSampleAt = Number.NEGATIVE_INFINITY;
  private readonly publishIntervalMs: number;
  private readonly recentLimit: number;
  private seq = 0;
  private lastPublishAt = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: EngineHostOptions
  ) {
    this.publishIntervalMs = options.publishIntervalMs ?? 100;
    this.recentLimit = options.recentEvents ?? 200;
    engine.setListener({ changed: () => this.markDirty(), event: (event) => this.forward(event) });
  }

  start(): Promise<void> {
    return this.engine.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiting of this.queries.splice(0)) waiting.refuse('the engine is stopping');
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.engine.stop();
  }

  /** Adds a viewer: it gets the full current snapshot first, then recent events, then live traffic. */
  subscribe(viewer: Viewer): () => void {
    this.viewers.add(viewer);
    this.deliver(viewer, { kind: 'snapshot', snapshot: this.takeSnapshot() });
    this.deliver(viewer, { kind: 'history', history: { spreads: [...this.spreadSamples], decisions: [...this.decisions].reverse() } });
    for (const event of this.recent) {
      if (!this.viewers.has(viewer)) break;
      // Decisions came with the history above.
      if (event.type === 'decision') continue;
      this.deliver(viewer, { kind: 'event', event });
    }
    return () => {
      this.viewers.delete(viewer);
    };
  }

  /** Listens to events only (no snapshots), e.g. to write them to the main log. */
  tapEvents(listener: (event: EngineEvent) => void): () => void {
    this.eventTaps.add(listener);
    return () => {
      this.eventTaps.delete(listener);
    };
  }

  viewerCount(): number {
    return this.viewers.size;
  }

  /** A kill running now: later kills join it (answered with its result) instead of queueing thousands. */
  private killing: Promise<CommandResult> | null = null;
  /** Kills answered by joining the one running. */
  killsJoined = 0;

  /** Validates an untrusted command and runs it. Never throws: errors come back typed. */
  async command(raw: unknown): Promise<CommandResult> {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return parsed.result;
    if (parsed.command.type !== 'kill') return this.run(parsed.command);
    if (this.killing) {
      this.killsJoined += 1;
      return this.killing;
    }
    this.killing = this.run(parsed.command).finally(() => (this.killing = null));
    return this.killing;
  }

  private async run(command: Command): Promise<CommandResult> {
    const parsed = { command };
    let result: CommandResult;
    try {
      result = await this.engine.execute(parsed.command);
    } catch (error) {
      result = commandError('INTERNAL', `command ${parsed.command.type} failed: ${String(error)}`);
    }
    this.forward({
      type: 'command',
      at: this.options.clock.now(),
      command: parsed.command.type,
      ok: result.ok,
      message: result.ok ? result.message : result.error.message
    });
    // A command usually changes state: show it without waiting for the next coalescing slot.
    this.publishNow();
    return result;
  }

  /** Reads waiting for their turn (one runs at a time), and how many of them are exports. */
  private readonly queries: Array<{ run: () => Promise<void>; refuse: (message: string) => void; isExport: boolean }> = [];
  private queryRunning = false;

  /**
   * Validates an untrusted read and answers it. Never throws. Reads run one at a time with the
   * event loop free between them (a history or export reads the journal synchronously, slice by
   * slice): however many consoles ask, a hedge waits for one slice at most. At most MAX_QUEUED_READS
   * wait, of which MAX_QUEUED_EXPORTS exports (each holds up to 100,000 rows in memory); the rest
   * are refused at once, and a stop answers the waiting ones.
   */
  async query(raw: unknown): Promise<QueryResult> {
    const parsed = parseQuery(raw);
    if (!parsed.ok) return parsed.result as QueryResult;
    const request = parsed.command;
    if (this.stopped) return commandError('UNAVAILABLE', 'the engine is stopping') as QueryResult;
    const isExport = request.type === 'export';
    const waitingExports = this.queries.filter((entry) => entry.isExport).length;
    if (this.queries.length >= MAX_QUEUED_READS || (isExport && waitingExports >= MAX_QUEUED_EXPORTS))
      return commandError(
        'REJECTED',
        isExport ? `busy: ${waitingExports} export(s) already waiting; try again when they are done` : `busy: ${this.queries.length} reads waiting; try again`
      ) as QueryResult;
    return new Promise<QueryResult>((resolve) => {
      this.queries.push({
        isExport,
        refuse: (message) => resolve(commandError('UNAVAILABLE', message) as QueryResult),
        run: async () => {
          try {
            resolve(await this.engine.query(request));
          } catch (error) {
            resolve(commandError('INTERNAL', `query ${request.type} failed: ${String(error)}`) as QueryResult);
          }
        }
      });
      void this.drainQueries();
    });
  }

  private async drainQueries(): Promise<void> {
    if (this.queryRunning) return;
    this.queryRunning = true;
    try {
      for (let next = this.queries.shift(); next; next = this.queries.shift()) {
        await next.run();
        // The engine's timers and sockets get their turn between two reads.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.queryRunning = false;
    }
  }

  private takeSnapshot(): EngineSnapshot {
    return { ...this.engine.snapshot(), seq: ++this.seq, at: this.options.clock.now() };
  }

  private markDirty(): void {
    if (this.stopped || this.timer) return;
    const wait = this.lastPublishAt + this.publishIntervalMs - this.options.clock.now();
    this.timer = this.options.clock.setTimeout(() => this.publishNow(), Math.max(0, wait));
  }

  private publishNow(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    this.lastPublishAt = this.options.clock.now();
    if (this.viewers.size === 0) {
      // Nobody watching (a reload in progress): the chart's history goes on.
      if (this.lastPublishAt - this.lastSampleAt >= SAMPLE_MS) this.sample(this.engine.snapshot().spreads, this.lastPublishAt);
      return;
    }
    const snapshot = this.takeSnapshot();
    this.sample(snapshot.spreads, snapshot.at);
    const message: HostMessage = { kind: 'snapshot', snapshot };
    for (const viewer of [...this.viewers]) this.deliver(viewer, message);
  }

  private sample(spreads: EngineSnapshot['spreads'], at: number): void {
    if (!spreads || at - this.lastSampleAt < SAMPLE_MS) return;
    this.lastSampleAt = at;
    this.spreadSamples.push({ t: at, raw: spreads.raw });
    if (this.spreadSamples.length > SAMPLES_KEPT) this.spreadSamples.shift();
  }

  private forward(event: EngineEvent): void {
    if (event.type === 'decision') {
      this.decisions.push(event.decision);
      if (this.decisions.length > DECISIONS_KEPT) this.decisions.shift();
    }
    this.recent.push(event);
    if (this.recent.length > this.recentLimit) this.recent.shift();
    for (const tap of this.eventTaps) {
      try {
        tap(event);
      } catch (error) {
        this.options.onViewerError?.(error);
      }
    }
    const message: HostMessage = { kind: 'event', event };
    for (const viewer of [...this.viewers]) this.deliver(viewer, message);
  }

  private deliver(viewer: Viewer, message: HostMessage): void {
    try {
      viewer(message);
    } catch (error) {
      // One broken view (a closed window, a dead socket) must not stop the others.
      this.viewers.delete(viewer);
      this.options.onViewerError?.(error);
    }
  }
}
