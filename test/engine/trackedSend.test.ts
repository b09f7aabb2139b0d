/** The one way orders, cancels and cancel-alls are sent: journal rows, latency, and the answer classified. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/kernel/clock';
import { MemoryJournal } from '../../src/main/ports/records';
import { VenueOrderError } from '../../src/main/ports/venue';
import { OrderRegistry } from '../../src/main/engine/orderRegistry';
import { trackedSend } from '../../src/main/engine/trackedSend';
import { d } from '../helpers/engineHarness';

function setup() {
  const clock = new ManualClock();
  const journal = new MemoryJournal();
  const registry = new OrderRegistry({ now: () => clock.now(), onSettled: () => undefined });
  const order = registry.track({ clientId: '7', venue: 'L', purpose: 'hedge', side: 'buy', qty: d('0.5'), price: d('3000') });
  const row = { clientId: '7', venue: 'L' as const, kind: 'market' as const, side: 'buy' as const, qty: '0.5', purpose: 'hedge' as const };
  return { clock, journal, registry, order, row };
}

const slow = <T>(clock: ManualClock, ms: number, outcome: () => T) =>
  new Promise<T>((resolve, reject) =>
    clock.setTimeout(() => {
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    }, ms)
  );

describe('trackedSend', () => {
  it('journals the order before it leaves and the reply with its latency; a partial market fill reports the order cancelled for the rest', async () => {
    const s = setup();
    const events: string[] = [];
    const sent = trackedSend(s, {
      row: s.row,
      tracked: { order: s.order, answer: 'market' },
      send: () => {
        events.push(`sent with ${s.journal.orders.length} order row(s)`);
        return slow(s.clock, 12, () => ({ clientId: '7', filledQty: d('0.2') }));
      },
      replied: (result) => ({ detail: `filled ${result.filledQty}`, filledQty: result.filledQty }),
      onSent: () => events.push('onSent')
    });
    expect(events).toEqual(['sent with 1 order row(s)', 'onSent']);
    await s.clock.advance(12);
    const outcome = await sent;
    expect(outcome).toMatchObject({ ok: true, latencyMs: 12 });
    expect(s.journal.replies).toEqual([expect.objectContaining({ clientId: '7', ok: true, detail: 'filled 0.2', latencyMs: 12, filledQty: '0.2' })]);
    expect(s.order.finalStatus).toBe('cancelled');
    expect(s.order.reportedFilled.toString()).toBe('0.2');
  });

  it('a lost answer is unknown (the order kept), a refusal is refused (the order finished): never confused', async () => {
    const lost = setup();
    const unknown = await trackedSend(lost, {
      row: lost.row,
      tracked: { order: lost.order, answer: 'market' },
      send: () => Promise.reject(new VenueOrderError('L', 'timeout', 'no ack in 5 s')),
      replied: () => ({ detail: 'filled' })
    });
    expect(unknown).toMatchObject({ ok: false, unknown: true });
    expect(lost.order.state).toBe('unknown');
    expect(lost.registry.isLive(lost.order)).toBe(true);
    expect(lost.journal.replies[0]?.detail).toBe('unknown: L: timeout: no ack in 5 s');

    const refused = setup();
    const no = await trackedSend(refused, {
      row: refused.row,
      tracked: { order: refused.order, answer: 'market' },
      send: () => Promise.reject(new VenueOrderError('L', 'rejected', 'margin')),
      replied: () => ({ detail: 'filled' })
    });
    expect(no).toMatchObject({ ok: false, unknown: false, detail: 'L: rejected: margin' });
    expect(refused.order.finalStatus).toBe('rejected');
  });

  it('a send that throws before it returns a promise is caught and counts as unknown (it may have left)', async () => {
    const s = setup();
    const outcome = await trackedSend(s, {
      row: s.row,
      tracked: { order: s.order, answer: 'market' },
      send: () => {
        throw new Error('socket write failed');
      },
      replied: () => ({ detail: 'filled' })
    });
    expect(outcome).toMatchObject({ ok: false, unknown: true, detail: 'unexpected: socket write failed' });
    expect(s.order.state).toBe('unknown');
  });
});
