import type { StartupStep } from '../../../shared/contract';
import { useConsole } from '../store';

const NO_STEPS: StartupStep[] = [];

const ICON: Record<string, string> = { pending: '○', running: '◔', done: '●', failed: '✕', skipped: '–' };

export function StartupPanel() {
  const steps = useConsole((state) => state.snapshot?.startup ?? NO_STEPS);
  const seeded = useConsole((state) => state.snapshot?.hedgeSeeded ?? false);
  return (
    <section className="panel" data-testid="startup">
      <h2>Start-up {seeded ? <span className="ok">hedge seeded</span> : null}</h2>
      <ol className="steps">
        {steps.map((step) => (
          <li key={step.id} className={`step step-${step.status}`}>
            <span className="icon">{ICON[step.status]}</span> {step.label}
            {step.detail ? <span className="muted"> · {step.detail}</span> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
