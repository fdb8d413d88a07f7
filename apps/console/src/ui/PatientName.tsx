import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { intake, unwrap } from '../api/client';
import { shortId } from './common';

/**
 * A patient's name from intake (an audited read), for screens whose own service knows ids only. Staff without
 * access to intake's records see the id instead.
 */
export function PatientName({ patientId }: { patientId: string }) {
  const patient = useQuery({
    queryKey: ['patient', patientId],
    queryFn: () => unwrap(intake.GET('/patients/{patientId}', { params: { path: { patientId } } })),
    staleTime: 5 * 60_000,
    retry: false,
  });
  if (patient.data) return <>{`${patient.data.familyName}, ${patient.data.givenName}`}</>;
  return (
    <Text span c="dimmed" title={patientId}>
      patient {shortId(patientId)}
    </Text>
  );
}
