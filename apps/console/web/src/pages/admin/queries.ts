import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../auth/context';
import type { Participant } from './types';

export const participantsKey = ['admin', 'participants'] as const;

/** Every participant (registry GET /participants, consortium admin). */
export function useParticipants() {
  const api = useApi();
  return useQuery({
    queryKey: participantsKey,
    queryFn: () => api.get<Participant[]>('registry', '/participants'),
  });
}
