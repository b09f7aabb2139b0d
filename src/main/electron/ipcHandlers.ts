/**
 * The Electron IPC transport's logic, written against small interfaces so that it is tested
 * without Electron: every call is checked for its sender before its arguments are looked at, and
 * every command is validated by the engine host against the shared contract.
 */
import type { CommandResult, HostMessage, QueryResult } from '../../shared/contract';
import { commandError } from '../../shared/commands';
import type { EngineHost } from '../host/engineHost';
import type { SenderInfo } from './webPreferences';

export interface IpcSender {
  id: number;
  send(channel: string, message: HostMessage): void;
  isDestroyed(): boolean;
  onceDestroyed(listener: () => void): void;
}

export interface IpcHandlers {
  command(sender: SenderInfo, command: unknown): Promise<CommandResult>;
  query(sender: SenderInfo, request: unknown): Promise<QueryResult>;
  subscribe(sender: SenderInfo, target: IpcSender): boolean;
  unsubscribe(sender: SenderInfo, target: IpcSender): void;
}

export function createIpcHandlers(
  host: EngineHost,
  isTrusted: (sender: SenderInfo) => boolean,
  messageChannel: string,
  onRefused: (what: string, sender: SenderInfo) => void
): IpcHandlers {
  const subscriptions = new Map<number, () => void>();
  return {
    async command(sender, command) {
      if (!isTrusted(sender)) {
        onRefused('command', sender);
        return commandError('FORBIDDEN', 'sender: not the console window', { field: 'sender', value: sender.frameUrl });
      }
      return host.command(command);
    },
    async query(sender, request) {
      if (!isTrusted(sender)) {
        onRefused('query', sender);
        return commandError('FORBIDDEN', 'sender: not the console window', { field: 'sender', value: sender.frameUrl }) as QueryResult;
      }
      return host.query(request);
    },
    subscribe(sender, target) {
      if (!isTrusted(sender)) {
        onRefused('subscribe', sender);
        return false;
      }
      subscriptions.get(target.id)?.();
      const unsubscribe = host.subscribe((message) => {
        if (!target.isDestroyed()) target.send(messageChannel, message);
      });
      subscriptions.set(target.id, unsubscribe);
      target.onceDestroyed(() => {
        unsubscribe();
        subscriptions.delete(target.id);
      });
      return true;
    },
    unsubscribe(sender, target) {
      if (!isTrusted(sender)) return;
      subscriptions.get(target.id)?.();
      subscriptions.delete(target.id);
    }
  };
}
