import { describe, expect, it } from 'vitest';
import type { HostMessage } from '../src/shared/contract';
import { createIpcHandlers, type IpcSender } from '../src/main/electron/ipcHandlers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTrustedSender, mainWindowWebPreferences } from '../src/main/electron/webPreferences';
import { CONTENT_SECURITY_POLICY } from '../src/main/headless/server';
import { harness } from './helpers/engineHarness';

const indexFile = '/opt/lx/out/renderer/index.html';
const trustedFrame = { frameUrl: 'file:///opt/lx/out/renderer/index.html', isMainFrame: true };

function setup() {
  const { host } = harness();
  const refused: string[] = [];
  const handlers = createIpcHandlers(
    host,
    (sender) => isTrustedSender(sender, { indexFile }),
    'lx:message',
    (what) => refused.push(what)
  );
  const received: HostMessage[] = [];
  let destroy = () => undefined as void;
  const target: IpcSender = {
    id: 7,
    send: (_channel, message) => void received.push(message),
    isDestroyed: () => false,
    onceDestroyed: (listener) => {
      destroy = listener;
    }
  };
  const armed = () => {
    const snaps = received.filter((m) => m.kind === 'snapshot');
    const last = snaps.at(-1);
    return last?.kind === 'snapshot' ? last.snapshot.safety.armed : undefined;
  };
  return { host, handlers, refused, received, target, armed, destroy: () => destroy() };
}

describe('Electron IPC transport', () => {
  it.each([
    [{ frameUrl: 'file:///opt/lx/out/renderer/index.html', isMainFrame: true }, true],
    [{ frameUrl: 'file:///opt/lx/out/renderer/index.html', isMainFrame: false }, false],
    [{ frameUrl: 'file:///tmp/evil.html', isMainFrame: true }, false],
    [{ frameUrl: 'https://evil.example/', isMainFrame: true }, false],
    [{ frameUrl: undefined, isMainFrame: true }, false],
    [{ frameUrl: 'not a url', isMainFrame: true }, false]
  ])('trusts sender %j: %s', (sender, expected) => {
    expect(isTrustedSender(sender, { indexFile })).toBe(expected);
  });

  it('trusts the dev server origin only when one is configured', () => {
    const dev = { frameUrl: 'http://localhost:5173/', isMainFrame: true };
    expect(isTrustedSender(dev, { indexFile })).toBe(false);
    expect(isTrustedSender(dev, { indexFile, devServerUrl: 'http://localhost:5173' })).toBe(true);
  });

  it('refuses commands from an untrusted frame and changes nothing', async () => {
    const t = setup();
    t.handlers.subscribe(trustedFrame, t.target);
    const result = await t.handlers.command({ frameUrl: 'https://evil.example/', isMainFrame: true }, { type: 'arm' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('FORBIDDEN');
    expect(t.refused).toEqual(['command']);
    expect(t.armed()).toBe(false);
  });

  it('returns a typed error for bad arguments and changes nothing', async () => {
    const t = setup();
    t.handlers.subscribe(trustedFrame, t.target);
    const result = await t.handlers.command(trustedFrame, { type: 'manualHedge', venue: 'L', side: 'up', qty: '1', confirm: true });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_COMMAND');
      expect(result.error.field).toBe('side');
      expect(result.error.value).toBe('"up"');
    }
    expect(t.armed()).toBe(false);
  });

  it('streams to a trusted window, first the snapshot, and stops when it is destroyed', async () => {
    const t = setup();
    expect(t.handlers.subscribe({ frameUrl: 'https://evil.example/', isMainFrame: true }, t.target)).toBe(false);
    expect(t.received).toHaveLength(0);
    expect(t.handlers.subscribe(trustedFrame, t.target)).toBe(true);
    expect(t.received[0]?.kind).toBe('snapshot');
    expect((await t.handlers.command(trustedFrame, { type: 'arm' })).ok).toBe(true);
    expect(t.armed()).toBe(true);
    expect(t.host.viewerCount()).toBe(1);
    t.destroy();
    expect(t.host.viewerCount()).toBe(0);
  });

  it('keeps the window sandboxed and isolated, with a strict CSP', () => {
    const prefs = mainWindowWebPreferences('/opt/lx/out/preload/index.js');
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    // The page's own CSP (what the Electron window enforces) and the headless server's header.
    const html = readFileSync(join(__dirname, '..', 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = (csp: string) =>
      new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values.join(' ')])
      );
    const page = directives(meta);
    expect(page.get('script-src')).toBe("'self'");
    expect(page.get('default-src')).toBe("'self'");
    expect(page.get('object-src')).toBe("'none'");
    expect(page.get('base-uri')).toBe("'none'");
    expect(meta).not.toMatch(/unsafe-eval|\*/);
    // The server sends the same policy, plus frame-ancestors (which a meta tag cannot carry).
    const header = directives(CONTENT_SECURITY_POLICY);
    header.delete('frame-ancestors');
    expect(header).toEqual(page);
  });
});
