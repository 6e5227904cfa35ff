import { MandoPollingTrigger } from '../../../../nodes/MandoPollingTrigger/MandoPollingTrigger.node';
import { describeNodeDescription } from '../../../harness/nodeDescription';

describeNodeDescription('MandoPollingTrigger', new MandoPollingTrigger().description);
