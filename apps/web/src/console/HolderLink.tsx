import { Link } from 'react-router';
import { useOperator } from './api.ts';

/** A holder's id, opening their holder page when this operator may read holders. */
export function HolderLink({ userId, className }: { userId: string; className?: string }) {
  const operator = useOperator();
  if (!operator.can('holders:read')) return <span className={className}>{userId}</span>;
  return (
    <Link to={`/console/holders/${userId}`} className={className}>
      {userId}
    </Link>
  );
}
