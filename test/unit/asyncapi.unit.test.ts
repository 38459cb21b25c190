import path from 'node:path';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import demoConfig from '../../streamfold.config.ts';
import { avroDirOf, resolveConfig } from '../../src/config/streamfoldConfig.ts';
import { commandTopicOf, eventTopicOf } from '../../src/core/index.ts';
import { asyncApiDocument } from '../../src/gateway/asyncapi.ts';
import { loadSchemas } from '../../src/messaging/schemaCatalog.ts';

const config = resolveConfig(demoConfig, path.resolve(import.meta.dirname, '../..'));
const document = asyncApiDocument(config, loadSchemas(avroDirOf(config)));

describe('the AsyncAPI document of the demo config', () => {
  it('parses with the Avro schema parser, without an error, every type on its channel', async () => {
    const parser = new Parser();
    parser.registerSchemaParser(AvroSchemaParser());
    const { document: parsed, diagnostics } = await parser.parse(JSON.stringify(document));
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    expect(parsed).toBeDefined();
    const typesOn = (topic: string) =>
      parsed!.channels().all().find((c) => c.address() === topic)?.messages().all().map((m) => m.name()) ?? [];
    const actionsOn = (topic: string) => parsed!.operations().all().filter((o) => o.channels().all().some((c) => c.address() === topic)).map((o) => o.action());
    for (const domain of config.domains) {
      expect(typesOn(commandTopicOf(domain)).sort()).toEqual([...domain.commandTypes].sort());
      expect(typesOn(eventTopicOf(domain)).sort()).toEqual([...domain.eventTypes].sort());
      expect(typesOn(`${commandTopicOf(domain)}.dlq`).sort()).toEqual([...domain.commandTypes].sort());
      expect(actionsOn(commandTopicOf(domain))).toEqual(['send']);
      expect(actionsOn(eventTopicOf(domain))).toEqual(['receive']);
    }
    const addPeriod = parsed!.messages().all().find((m) => m.name() === 'AddPeriod')!;
    expect(Object.keys(addPeriod.headers()?.properties() ?? {})).toContain('command-uuid');
    expect(addPeriod.payload()?.schemaFormat()).toBe('application/vnd.apache.avro;version=1.9.0');
    expect(addPeriod.description()).toContain('streamfold.roster.AddPeriod');
  });
});
