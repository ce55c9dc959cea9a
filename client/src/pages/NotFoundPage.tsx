import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <div className="centred">
      <h1>404: no such page</h1>
      <Link to="/">Go to your home page</Link>
    </div>
  );
}
