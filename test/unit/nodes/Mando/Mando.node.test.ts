import { Mando } from '../../../../nodes/Mando/Mando.node';
import { describeNodeDescription } from '../../../harness/nodeDescription';

describeNodeDescription('Mando', new Mando().description);
