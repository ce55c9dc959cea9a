// Reasonable adjustments as a user setting: larger text and high contrast. Kept in localStorage
// (this browser) and applied as classes on <html>, which styles.css scales and recolours.
import { useCallback, useEffect, useState } from 'react';

export interface DisplaySettings {
  largeText: boolean;
  highContrast: boolean;
}

const KEY = 'callmark.display';
const CLASSES: Record<keyof DisplaySettings, string> = { largeText: 'a11y-large-text', highContrast: 'a11y-high-contrast' };

export function loadDisplaySettings(): DisplaySettings {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<DisplaySettings>;
    return { largeText: v.largeText === true, highContrast: v.highContrast === true };
  } catch {
    return { largeText: false, highContrast: false };
  }
}

export function applyDisplaySettings(s: DisplaySettings): void {
  for (const k of Object.keys(CLASSES) as Array<keyof DisplaySettings>) document.documentElement.classList.toggle(CLASSES[k], s[k]);
}

export function useDisplaySettings(): [DisplaySettings, (key: keyof DisplaySettings) => void] {
  const [settings, setSettings] = useState(loadDisplaySettings);
  useEffect(() => {
    applyDisplaySettings(settings);
    try {
      localStorage.setItem(KEY, JSON.stringify(settings));
    } catch {
      /* storage full or blocked: the setting lasts for this page only */
    }
  }, [settings]);
  // Another tab changed the setting.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => e.key === KEY && setSettings(loadDisplaySettings());
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);
  const toggle = useCallback((key: keyof DisplaySettings) => setSettings((s) => ({ ...s, [key]: !s[key] })), []);
  return [settings, toggle];
}
