import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { PARAM_KEYS, PARAM_SPECS, paramValueSchema, type ParamKey, type StrategyParams } from '../../../shared/params';
import { useConsole } from '../store';

type Draft = Record<ParamKey, string | boolean>;

const toDraft = (params: StrategyParams): Draft => {
  const draft = {} as Draft;
  for (const key of PARAM_KEYS) draft[key] = typeof params[key] === 'boolean' ? (params[key] as boolean) : String(params[key]);
  return draft;
};

/** The draft value in the contract's type (a whole number for int fields when it is one). */
function typed(key: ParamKey, value: string | boolean): unknown {
  const spec = PARAM_SPECS[key];
  if (spec.kind === 'int' && typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return typeof value === 'string' ? value.trim() : value;
}

/** Strategy parameters, edited with the same validation the engine applies, applied live and saved. */
export function ParamsPanel() {
  const params = useConsole(useShallow((state) => state.snapshot?.params ?? null));
  const send = useConsole((state) => state.send);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (params && !draft) setDraft(toDraft(params));
  }, [params, draft]);
  if (!params || !draft) return <section className="panel" data-testid="params" />;

  const errors: Partial<Record<ParamKey, string>> = {};
  for (const key of PARAM_KEYS) {
    const check = paramValueSchema(PARAM_SPECS[key]).safeParse(typed(key, draft[key]));
    if (!check.success) errors[key] = check.error.issues[0]?.message ?? 'invalid';
  }
  const changed = PARAM_KEYS.filter((key) => typed(key, draft[key]) !== params[key]);

  const apply = async () => {
    const patch: Record<string, unknown> = {};
    for (const key of changed) patch[key] = typed(key, draft[key]);
    // The engine validates again: what it refuses changes nothing and comes back with the reason.
    const result = await send({ type: 'setParams', params: patch as Partial<StrategyParams> });
    setMessage(result.ok ? { ok: true, text: `applied: ${changed.join(', ')}` } : { ok: false, text: result.error.message });
    if (result.ok) setDraft(null);
  };

  return (
    <section className="panel" data-testid="params">
      <h2>Strategy parameters</h2>
      <table className="kv params">
        <tbody>
          {PARAM_KEYS.map((key) => {
            const spec = PARAM_SPECS[key];
            return (
              <tr key={key} title={spec.doc} className={errors[key] ? 'invalid' : changed.includes(key) ? 'changed' : ''}>
                <td>{spec.env}</td>
                <td>
                  {spec.kind === 'bool' ? (
                    <input
                      type="checkbox"
                      checked={draft[key] as boolean}
                      onChange={(event) => setDraft({ ...draft, [key]: event.target.checked })}
                      data-testid={`param-${spec.env}`}
                    />
                  ) : (
                    <input
                      className="param-input"
                      value={draft[key] as string}
                      onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
                      data-testid={`param-${spec.env}`}
                    />
                  )}
                </td>
                <td className="muted small">{errors[key] ?? spec.unit}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row">
        <button className="btn" disabled={changed.length === 0} onClick={() => void apply()} data-testid="params-apply">
          Apply {changed.length ? `(${changed.length})` : ''}
        </button>
        <button className="btn" disabled={changed.length === 0} onClick={() => setDraft(toDraft(params))}>
          Reset
        </button>
        {message && (
          <span className={message.ok ? 'ok small' : 'bad small'} data-testid="params-message">
            {message.text}
          </span>
        )}
      </div>
    </section>
  );
}
