import { X12Delimiters } from './x12-tokenizer';
import { SegmentSpec, writeInterchange } from './x12-writer';

/**
 * Small 271s for tests and the benchmark: say only what the case is about (a member's EB lines), and the HL tree,
 * envelope, counts and control numbers are filled in.
 */
export interface SyntheticMember {
  readonly role?: 'subscriber' | 'dependent';
  readonly memberId?: string;
  readonly lastName?: string;
  readonly firstName?: string;
  /** Segments after the member's NM1: REF, DMG, DTP, AAA, then EB groups. */
  readonly segments?: readonly SegmentSpec[];
}

export interface Synthetic271Options {
  readonly payerName?: string;
  readonly payerId?: string;
  /** Segments after the payer's NM1 (PER, AAA). */
  readonly payerSegments?: readonly SegmentSpec[];
  /** Leave out the provider and members, as a payer does when it rejects at 2100A. */
  readonly payerOnly?: boolean;
  readonly members?: readonly SyntheticMember[];
  readonly controlNumber?: number;
  readonly delimiters?: X12Delimiters;
  readonly lineEnding?: '' | '\n' | '\r\n';
}

/** EB by element position; undefined or '' leaves an element empty. */
export function eb(...elements: (string | undefined)[]): SegmentSpec {
  return ['EB', ...elements.map((e) => e ?? '')];
}

export function synthetic271(options: Synthetic271Options = {}): string {
  const members = options.members ?? [{}];
  const body: SegmentSpec[] = [
    ['BHT', '0022', '11', `REF${options.controlNumber ?? 1}`, '20261120', '1200'],
    ['HL', '1', '', '20', options.payerOnly === true ? '0' : '1'],
    ['NM1', 'PR', '2', options.payerName ?? 'KESTREL HEALTH PLAN', '', '', '', '', 'PI', options.payerId ?? '87726'],
    ...(options.payerSegments ?? []),
  ];
  if (options.payerOnly !== true) {
    body.push(['HL', '2', '1', '21', '1'], ['NM1', '1P', '2', 'HARBOR LIGHT RECOVERY CENTER', '', '', '', '', 'XX', '1234567893']);
    let hl = 2;
    let subscriberHl = 0;
    members.forEach((member, index) => {
      hl += 1;
      const dependent = member.role === 'dependent';
      const next = members[index + 1];
      const hasChild = !dependent && next?.role === 'dependent';
      if (!dependent) subscriberHl = hl;
      body.push(['HL', String(hl), String(dependent ? subscriberHl : 2), dependent ? '23' : '22', hasChild ? '1' : '0']);
      body.push(
        dependent
          ? ['NM1', '03', '1', member.lastName ?? 'DOE', member.firstName ?? 'SAM']
          : ['NM1', 'IL', '1', member.lastName ?? 'DOE', member.firstName ?? 'ALEX', '', '', '', 'MI', member.memberId ?? `M${String(hl).padStart(9, '0')}`],
      );
      body.push(...(member.segments ?? []));
    });
  }
  const control = options.controlNumber ?? 1;
  return writeInterchange(
    {
      senderQualifier: 'ZZ',
      senderId: 'KESTRELHP',
      receiverQualifier: 'ZZ',
      receiverId: 'HARBORLIGHT',
      date: '2026-11-20',
      time: '12:00',
      interchangeControlNumber: control,
      groupControlNumber: control,
      usage: 'test',
      acknowledgmentRequested: false,
      functionalId: 'HB',
      applicationSenderCode: 'KESTRELHP',
      applicationReceiverCode: 'HARBORLIGHT',
      implementation: '005010X279A1',
    },
    [{ id: '271', controlNumber: String(control).padStart(4, '0'), body }],
    { ...(options.delimiters === undefined ? {} : { delimiters: options.delimiters }), lineEnding: options.lineEnding ?? '\n' },
  );
}
