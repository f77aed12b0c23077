import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { Auth } from '@/common/auth/auth.decorators';
import { LegalDataService } from '@/config/legal-data.service';
import { ConsoleReferenceAnswerDto } from '@/console/dto/console.responses';

/** Reference data the console needs for its forms (labels and codes from config/, never personal data). */
@ApiTags('console')
@Controller('console')
export class ConsoleController {
  constructor(private readonly legal: LegalDataService) {}

  @Get('reference')
  @Auth()
  @ApiOperation({ summary: "Purposes, identity documents and their rule, and retention rules (codes and labels) for the web console's forms" })
  @ApiOkResponse({ type: ConsoleReferenceAnswerDto })
  reference() {
    return {
      purposes: this.legal.purposes.map((p) => ({ code: p.code, label: p.label, labelEn: p.labelEn, kinds: p.kinds })),
      identityDocuments: this.legal.identityDocuments.map((d) => ({
        code: d.code,
        label: d.label,
        numberProof: d.numberProof,
        identityProof: d.identityProof,
      })),
      /** 身元確認: the card alone, or this many photo / non-photo documents (the form checks it before sending). */
      identityRule: this.legal.identityRule,
      retentionRules: this.legal.retentionRules.map((r) => ({ documentType: r.documentType, label: r.label, start: r.start, period: r.period })),
    };
  }
}
