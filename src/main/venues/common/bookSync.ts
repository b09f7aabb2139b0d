/** What a venue's book sync says of one frame (the same for live, replay and paper). */
export type BookSyncOutcome = { kind: 'applied' } | { kind: 'ignored' } | { kind: 'resync'; reason: string };

/** Updates without a snapshot before the sync asks for one. */
export const UPDATES_BEFORE_RESYNC = 20;
