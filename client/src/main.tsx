import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App.js';
import { applyDisplaySettings, loadDisplaySettings } from './components/display-settings.js';
import './styles.css';

// Larger text and high contrast apply from the first paint, the login page included.
applyDisplaySettings(loadDisplaySettings());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
