// The candidate's brief in short, as staff check it against what they hear or play: the situation,
// then the tasks in order (the assessor's preview under the caller brief, and the brief beside a
// standardisation exercise's recording).
export function BriefSituation({ brief }: { brief: { situation: string; tasks: readonly string[] } }) {
  return (
    <>
      <p>{brief.situation}</p>
      <ol>
        {brief.tasks.map((t, i) => (
          <li key={i}>{t}</li>
        ))}
      </ol>
    </>
  );
}
