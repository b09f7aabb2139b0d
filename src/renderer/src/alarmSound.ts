/**
 * The alarm sound: a short tone when an alarm is raised, switchable by the trader (kept in this
 * browser's storage). The number of tones played is on <html data-alarm-tones> so a test can tell.
 */
const KEY = 'lx-hedge-alarm-sound';
let context: AudioContext | null = null;
let tones = 0;

export function alarmSoundOn(): boolean {
  try {
    return localStorage.getItem(KEY) !== 'off';
  } catch {
    return true;
  }
}

export function setAlarmSound(on: boolean): void {
  try {
    localStorage.setItem(KEY, on ? 'on' : 'off');
  } catch {
    // Storage refused (private window): the choice lasts until the page reloads.
  }
}

export function playAlarmTone(): void {
  if (!alarmSoundOn()) return;
  tones += 1;
  document.documentElement.dataset.alarmTones = String(tones);
  try {
    context ??= new AudioContext();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = 880;
    gain.gain.value = 0.1;
    oscillator.connect(gain).connect(context.destination);
    oscillator.start();
    oscillator.stop(context.currentTime + 0.25);
  } catch {
    // No audio device or autoplay refused until the page is clicked: the banner stays regardless.
  }
}
