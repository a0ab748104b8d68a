import type { Problem } from '../../api/problem';

export function ProblemPage({ problem }: { problem: Problem }) {
  return (
    <>
      <h1>{problem.title}</h1>
      <div class="problem" role="alert">
        <p>
          {problem.detail}
          {problem.field ? (
            <>
              {' '}
              (field <code>{problem.field}</code>)
            </>
          ) : null}
        </p>
      </div>
      <p>
        {problem.instance?.startsWith('/audit') ? (
          <>
            <a href="/audit">Back to the audit</a> ·{' '}
          </>
        ) : null}
        <a href="/">Back to the overview</a> · <a href="/positions">All positions</a>
      </p>
    </>
  );
}
