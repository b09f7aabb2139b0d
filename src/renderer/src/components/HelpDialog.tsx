import { useEffect } from 'react';
import { GLOSSARY } from '../../../shared/glossary';

const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['Ctrl+K (Cmd+K)', 'Kill: disarm and cancel every order of ours on both venues'],
  ['Ctrl+Shift+D', 'Disarm (orders are cancelled as on any disarm)'],
  ['Ctrl+Shift+F', 'Flatten: opens its confirmation'],
  ['F1 or ?', 'This help'],
  ['Escape', 'Close a dialog']
];

/** The console's vocabulary and shortcuts, from the one glossary the docs use too. */
export function HelpDialog({ onClose }: { onClose: () => void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal modal-wide"
        role="dialog"
        aria-modal="true"
        aria-label="Help"
        data-testid="help-dialog"
        onClick={(event) => event.stopPropagation()}
      >
        <h3>What the console says</h3>
        <table className="kv glossary">
          <tbody>
            {GLOSSARY.map(({ term, meaning }) => (
              <tr key={term}>
                <td>
                  <b>{term}</b>
                </td>
                <td>{meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Shortcuts</h3>
        <table className="kv">
          <tbody>
            {SHORTCUTS.map(([keys, action]) => (
              <tr key={keys}>
                <td>
                  <kbd>{keys}</kbd>
                </td>
                <td>{action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="modal-actions">
          <button className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
