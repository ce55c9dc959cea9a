import { Link } from 'react-router';
import { ROLE_HOME } from '../../../server/protocol/roles.js';
import { useSession } from '../session.js';

export function ForbiddenPage() {
  const { session } = useSession();
  return (
    <div className="centred" data-testid="forbidden">
      <h1>403: not allowed</h1>
      <p>Your account ({session?.user.role}) cannot open this page.</p>
      {session && <Link to={ROLE_HOME[session.user.role]}>Back to your home page</Link>}
    </div>
  );
}
