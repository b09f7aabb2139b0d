import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  PARAM_KEYS,
  PARAM_SPECS,
  paramValueSchema,
  paramWarnings,
  withParamLabels,
  type FeeSchedule,
  type ParamKey,
  type StrategyParams
} from '../../../shared/params';
import { useConsole } from '../store';
import type { ConfirmRequest } from './ConfirmDialog';

type FieldValue = string | boolean;
/** Only what the trader typed: every other field shows the engine's confirmed value. */
type Edits = Partial<Record<ParamKey, FieldValue>>;

const shown = (value: StrategyParams[ParamKey]): FieldValue => (typeof value === 'boolean' ? value : String(value));

/** The field's value in the contract's type (a whole number for int fields when it is one). */
function typed(key: ParamKey, value: FieldValue): unknown {
  const spec = PARAM_SPECS[key];
  if (spec.kind === 'int' && typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return typeof value === 'string' ? value.trim() : value;
}

/**
 * Strategy parameters, edited with the same validation the engine applies, applied live and saved.
 * The fields follow the engine's parameters from the snapshot; an edit is kept until the engine
 * reports that value, so a successful Apply never falls back to an old draft or re-sends it.
 */
export function ParamsPanel({ confirm }: { confirm: (request: ConfirmRequest) => void }) {
  const { params, armed, feesL, feesE } = useConsole(
    useShallow((state) => ({
      params: state.snapshot?.params ?? null,
      armed: state.snapshot?.safety.armed ?? false,
      feesL: state.snapshot?.venues.L.fees ?? null,
      feesE: state.snapshot?.venues.E.fees ?? null
    }))
  );
  const fees: FeeSchedule | null = feesL && feesE ? { L: feesL, E: feesE } : null;
  const send = useConsole((state) => state.send);
  const [edits, setEdits] = useState<Edits>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // An edit the engine now reports (applied here, or by another viewer) is no longer an edit.
  useEffect(() => {
    if (!params) return;
    setEdits((current) => {
      const left = Object.entries(current).filter(([key, value]) => typed(key as ParamKey, value) !== params[key as ParamKey]);
      return left.length === Object.keys(current).length ? current : (Object.fromEntries(left) as Edits);
    });
  }, [params]);
  if (!params) return <section className="panel" data-testid="params" />;

  const value = (key: ParamKey): FieldValue => edits[key] ?? shown(params[key]);
  const errors: Partial<Record<ParamKey, string>> = {};
  for (const key of PARAM_KEYS) {
    const check = paramValueSchema(PARAM_SPECS[key]).safeParse(typed(key, value(key)));
    if (!check.success) errors[key] = check.error.issues[0]?.message ?? 'invalid';
  }
  const changed = PARAM_KEYS.filter((key) => key in edits && typed(key, edits[key]!) !== params[key]);
  const draft = { ...params };
  if (Object.keys(errors).length === 0) for (const key of changed) (draft as Record<ParamKey, unknown>)[key] = typed(key, value(key));
  const warnings = paramWarnings(draft, fees);

  const apply = async () => {
    const patch: Record<string, unknown> = {};
    for (const key of changed) patch[key] = typed(key, value(key));
    // The engine validates again: what it refuses changes nothing and comes back with the reason.
    const result = await send({ type: 'setParams', params: patch as Partial<StrategyParams> });
    const names = changed.map((key) => PARAM_SPECS[key].env).join(', ');
    setMessage(result.ok ? { ok: true, text: `applied: ${names}` } : { ok: false, text: withParamLabels(result.error.message) });
  };
  const onApply = () => {
    if (!armed) return void apply();
    // While armed a change acts on the next book update: the trader sees exactly what changes.
    confirm({
      title: 'Change parameters while armed',
      body: 'The engine is armed: the new values apply from the next book update.',
      confirmLabel: 'Apply',
      details: [
        ...changed.map((key) => `${PARAM_SPECS[key].env}: ${String(params[key])} -> ${String(typed(key, value(key)))} ${PARAM_SPECS[key].unit}`),
        ...warnings.map((warning) => `Warning: ${warning.text}`)
      ],
      onConfirm: () => void apply()
    });
  };

  return (
    <section className="panel" data-testid="params">
      <h2>Strategy parameters</h2>
      <table className="kv params">
        <tbody>
          {PARAM_KEYS.map((key) => {
            const spec = PARAM_SPECS[key];
            const warned = warnings.some((warning) => warning.key === key);
            return (
              <tr
                key={key}
                title={spec.doc}
                className={errors[key] ? 'invalid' : changed.includes(key) ? 'changed' : warned ? 'warned' : ''}
                data-testid={`param-row-${spec.env}`}
              >
                <td>{spec.env}</td>
                <td>
                  {spec.kind === 'bool' ? (
                    <input
                      type="checkbox"
                      checked={value(key) as boolean}
                      onChange={(event) => setEdits({ ...edits, [key]: event.target.checked })}
                      data-testid={`param-${spec.env}`}
                    />
                  ) : (
                    <input
                      className="param-input"
                      value={value(key) as string}
                      onChange={(event) => setEdits({ ...edits, [key]: event.target.value })}
                      data-testid={`param-${spec.env}`}
                    />
                  )}
                </td>
                <td className="muted small">{errors[key] ? `${spec.env} ${errors[key]}` : spec.unit}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {warnings.length > 0 && (
        <ul className="param-warnings small" data-testid="params-warnings">
          {warnings.map((warning) => (
            <li key={warning.text}>{warning.text}</li>
          ))}
        </ul>
      )}
      <div className="row">
        <button className="btn" disabled={changed.length === 0} onClick={onApply} data-testid="params-apply">
          Apply {changed.length ? `(${changed.length})` : ''}
        </button>
        <button className="btn" disabled={changed.length === 0} onClick={() => setEdits({})}>
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
