import { PARAM_KEYS, PARAM_SPECS } from '../../../shared/params';
import { useConsole } from '../store';

export function ParamsPanel() {
  const params = useConsole((state) => state.snapshot?.params);
  return (
    <section className="panel" data-testid="params">
      <h2>Strategy parameters</h2>
      <table className="kv">
        <tbody>
          {PARAM_KEYS.map((key) => (
            <tr key={key} title={PARAM_SPECS[key].doc}>
              <td>{PARAM_SPECS[key].env}</td>
              <td className="num">{params ? String(params[key]) : '-'}</td>
              <td className="muted">{PARAM_SPECS[key].unit}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
