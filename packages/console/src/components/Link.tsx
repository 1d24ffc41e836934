/** A link that navigates without a reload (and still opens in a new tab with a modifier key). */
import type { ReactNode } from 'react';
import { navigate } from '../lib/router.js';

export function Link({
  href,
  children,
  current,
  className,
}: {
  href: string;
  children: ReactNode;
  current?: boolean;
  className?: string;
}) {
  return (
    <a
      href={href}
      className={className}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
