import type { Command, CommandResult, EngineEvent, EngineSnapshot, QueryRequest, QueryResult } from '../../shared/contract';

/** What the engine host needs of an engine: state to publish, events, and commands. */
export interface Engine {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The current state; the host stamps `seq` and `at` when it publishes. */
  snapshot(): Omit<EngineSnapshot, 'seq' | 'at'>;
  /** Runs an already validated command. */
  execute(command: Command): Promise<CommandResult>;
  /** Answers an already validated read. */
  query(request: QueryRequest): Promise<QueryResult>;
  /** The host listens here: `changed` marks the snapshot dirty, `event` is forwarded at once. */
  setListener(listener: EngineListener): void;
}

export interface EngineListener {
  changed(): void;
  event(event: EngineEvent): void;
}
