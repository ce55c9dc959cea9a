// The candidate's home: the agent desktop, with the phone shared by all its panels.
import { AgentDesktop } from '../desktop/AgentDesktop.js';
import { PhoneProvider } from '../softphone/PhoneContext.js';

export function DesktopShell() {
  return (
    <PhoneProvider>
      <AgentDesktop />
    </PhoneProvider>
  );
}
