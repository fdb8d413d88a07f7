/** One call to scheduling's API as the demo's administrator; answers the parsed JSON body or throws. */
export type Api = <T>(method: 'GET' | 'POST', url: string, body?: unknown) => Promise<T>;

/**
 * Gives a demo site that has no programs yet its week, through scheduling's API as a site admin would: two 2.1 adult
 * programs, four clinicians and three rooms, a morning mental-health track (Mon/Wed/Thu 09:00, three 60-minute groups)
 * and an evening SUD track (Mon/Tue/Thu 18:00, two 90-minute groups), each 9 h a week, with 12 weeks of sessions.
 */
export async function seedDemoWeek(api: Api, base: string): Promise<boolean> {
  if ((await api<unknown[]>('GET', `${base}/programs`)).length > 0) return false;
  const program = (body: object) => api<{ programId: string }>('POST', `${base}/programs`, body);
  const sud = await program({ name: 'Substance use IOP (adults)', kind: 'substance-use', population: 'adult', levelOfCare: '2.1' });
  const mh = await program({ name: 'Mental health IOP (adults)', kind: 'mental-health', population: 'adult', levelOfCare: '2.1' });
  const slug = base.slice(-12);
  const clinician = async (n: number, displayName: string, roles: string[], programIds: string[]) =>
    (await api<{ clinicianId: string }>('POST', `${base}/clinicians`, { subject: `dev-clinician-${slug}-${n}`, displayName, roles, programIds })).clinicianId;
  const morgan = await clinician(1, 'Morgan Ellis, LCSW', ['therapist'], [mh.programId, sud.programId]);
  const priya = await clinician(2, 'Priya Natarajan, PsyD', ['therapist'], [mh.programId]);
  const jordan = await clinician(3, 'Jordan Blake, LADC', ['therapist', 'case-manager'], [sud.programId]);
  const casey = await clinician(4, 'Casey Moreno, MD', ['psychiatrist', 'prescriber'], [sud.programId, mh.programId]);
  const room = async (name: string, capacity: number, virtual = false) =>
    (await api<{ roomId: string }>('POST', `${base}/rooms`, { name, capacity, virtual })).roomId;
  const roomA = await room('Group room A', 12);
  const roomB = await room('Group room B', 12);
  await room('Telehealth room', 15, true);
  const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  const group = (topic: string, modality: string, durationMinutes: number, leaderId: string, roomId: string, coLeaderId?: string) => ({
    topic,
    modality,
    durationMinutes,
    leaderId,
    ...(coLeaderId ? { coLeaderId } : {}),
    roomId,
    capacity: 10,
    delivery: 'in-person',
  });
  const track = (body: object) => api<{ weeklyHours: string }>('POST', `${base}/tracks`, { startsOn: tomorrow, ...body });
  await track({
    programId: mh.programId,
    name: 'Morning MH adults',
    recurrence: 'FREQ=WEEKLY;BYDAY=MO,WE,TH',
    blockStart: '09:00',
    sessions: [
      group('Skills group', 'DBT skills', 60, morgan, roomA),
      group('Mood and anxiety', 'CBT group', 60, priya, roomA),
      group('Wellness and planning', 'psychoeducation', 60, morgan, roomA),
    ],
  });
  await track({
    programId: sud.programId,
    name: 'Evening SUD adults',
    recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,TH',
    blockStart: '18:00',
    sessions: [group('Relapse prevention', 'CBT group', 90, jordan, roomB, casey), group('Process group', 'process group', 90, jordan, roomB)],
  });
  return true;
}
