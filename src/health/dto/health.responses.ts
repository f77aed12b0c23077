import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// Response shape of GET /health for the OpenAPI document (issue #20).

export class HealthComponentDto {
  @ApiProperty({ enum: ['up', 'down'] })
  status: 'up' | 'down';
}

export class HealthDetailsDto {
  @ApiProperty({ type: () => HealthComponentDto })
  database: HealthComponentDto;

  @ApiProperty({ type: () => HealthComponentDto })
  redis: HealthComponentDto;
}

export class EmbeddedDatabaseDto {
  @ApiProperty({ enum: [true] })
  embedded: true;

  @ApiProperty({ type: String })
  dir: string;

  @ApiProperty({ type: String })
  version: string;
}

export class HealthAnswerDto {
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'sealed'], description: '503 with error (database down) or sealed (custody mode, waiting for shares)' })
  status: 'ok' | 'degraded' | 'error' | 'sealed';

  @ApiProperty({ enum: ['standard', 'trial'] })
  mode: 'standard' | 'trial';

  @ApiPropertyOptional({ type: String, description: 'trial mode: the data folder' })
  dataDir?: string;

  @ApiPropertyOptional({ type: String, description: 'trial mode: the keystore file' })
  keystore?: string;

  @ApiPropertyOptional({ type: () => EmbeddedDatabaseDto, description: 'trial mode: the embedded PostgreSQL' })
  database?: EmbeddedDatabaseDto;

  @ApiProperty({ enum: ['on', 'off', 'absent'], description: 'on: Bull on Redis; off: the in-process sweep raises due alarms' })
  queue: 'on' | 'off' | 'absent';

  @ApiProperty({ type: () => HealthDetailsDto })
  details: HealthDetailsDto;
}
