import { useEffect, useRef, useState } from 'react';

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  /** Lines shown under the body (figures, warnings). */
  details?: string[];
  /** A word the trader must type before the confirm button works (a deliberate override). */
  typeToConfirm?: string;
  onConfirm: () => void;
}

/** A modal confirmation for anything that sends real orders or cannot be undone. */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest; onClose: () => void }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [typed, setTyped] = useState('');
  const locked = request.typeToConfirm !== undefined && typed.trim() !== request.typeToConfirm;
  useEffect(() => {
    cancelRef.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-label={request.title} data-testid="confirm-dialog">
        <h3>{request.title}</h3>
        <p>{request.body}</p>
        {request.details && (
          <ul className="modal-details" data-testid="confirm-details">
            {request.details.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
        {request.typeToConfirm && (
          <label className="small">
            Type {request.typeToConfirm} to go ahead:{' '}
            <input className="param-input" value={typed} onChange={(event) => setTyped(event.target.value)} data-testid="confirm-type" />
          </label>
        )}
        <div className="modal-actions">
          <button ref={cancelRef} className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            className={`btn ${request.danger ? 'btn-kill' : 'btn-arm'}`}
            data-testid="confirm-ok"
            disabled={locked}
            onClick={() => {
              onClose();
              request.onConfirm();
            }}
          >
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
