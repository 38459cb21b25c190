/** The commands that clear a version's halt; a read database other than the event log's is named, as `projection skip` acts on the event log's unless told. */
export function clearCommands(at: { projection: string; version: number }, readDatabase?: string): { skip: string; resume: string } {
  const args = `${at.projection} --version ${at.version}${readDatabase ? ` --database ${readDatabase}` : ''}`;
  return { skip: `streamfold projection skip ${args}`, resume: `streamfold projection resume ${args}` };
}
