/**
 * Telegram notifications for events that need a human now (hedge retries exhausted). Sending
 * never throws: a failure is reported to the caller's log, and the alarm in the console stands.
 */
import type { Notifier } from '../ports/notifier';

export class TelegramNotifier implements Notifier {
  constructor(private readonly options: { apiUrl: string; botToken: string; chatId: string; timeoutMs?: number }) {}

  async notify(text: string): Promise<{ ok: boolean; detail: string }> {
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}/bot${this.options.botToken}/sendMessage`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ chat_id: this.options.chatId, text, disable_web_page_preview: true }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000)
      });
      return { ok: response.ok, detail: `telegram HTTP ${response.status}` };
    } catch (error) {
      // Never echo the URL: it carries the bot token.
      return { ok: false, detail: `telegram request failed: ${(error as Error).name}` };
    }
  }
}
