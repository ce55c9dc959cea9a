// A part of a page named by its heading, so assistive technology lists it as a region under the
// words staff see: a boxed <section> (the page's panels), or, inside one, a plain region without a
// second box (an opened attempt, an exercise's agreement).
import { useId, type ReactNode } from 'react';

export interface SectionProps {
  heading: ReactNode;
  /** The heading's level: 2 for a page's panels, deeper inside them. */
  level?: 2 | 3 | 4;
  /** A region inside a panel: no box of its own. */
  plain?: boolean;
  className?: string;
  testId?: string;
  children: ReactNode;
}

export function Section({ heading, level = 2, plain, className, testId, children }: SectionProps) {
  const id = useId();
  const Heading = `h${level}` as const;
  const content = (
    <>
      <Heading id={id}>{heading}</Heading>
      {children}
    </>
  );
  return plain ? (
    <div role="region" aria-labelledby={id} className={className} data-testid={testId}>
      {content}
    </div>
  ) : (
    <section aria-labelledby={id} className={className} data-testid={testId}>
      {content}
    </section>
  );
}
