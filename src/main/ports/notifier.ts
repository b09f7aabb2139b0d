/** How the engine tells a human that something needs them now (hedge retries exhausted). Sending never throws. */
export interface Notifier {
  notify(text: string): Promise<{ ok: boolean; detail: string }>;
}

/** No notifications configured. */
export const noNotifier: Notifier = {
  notify: async () => ({ ok: false, detail: 'telegram not configured' })
};
