import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import type { IDescriptorProto, IEnumDescriptorProto, IFileDescriptorProto, IFileDescriptorSet, IServiceDescriptorProto } from 'protobufjs/ext/descriptor/index.js';

/** A .proto file to publish through reflection: where it is, and the name protoc would give it (its path under the include root). */
export interface ProtoSource {
  path: string;
  name: string;
}

interface Location {
  path: number[];
  span: number[];
  leadingComments: string;
}

/** Field numbers in descriptor.proto, for SourceCodeInfo paths. */
const FILE_MESSAGE = 4;
const FILE_ENUM = 5;
const FILE_SERVICE = 6;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED = 3;
const MESSAGE_ENUM = 4;
const MESSAGE_ONEOF = 8;
const ENUM_VALUE = 2;
const SERVICE_METHOD = 2;

/**
 * File descriptors for server reflection, as protoc would write them, so that
 * grpcurl describes and calls the services as the .proto files say:
 * - the files' own field names (`record_type`), not the camelCase names the
 *   server's handlers use: JSON bodies then take the proto names (and, as
 *   protojson does, the lowerCamel JSON names too);
 * - the comments, as SourceCodeInfo (protobufjs keeps no source positions, so
 *   every span is [0, 0, 0]; `describe` orders by field number anyway);
 * - map entry types named `<Field>Entry`: protobufjs names them after the field
 *   alone (`Statuses`), which Go's protodesc refuses ("incorrect implicit map
 *   entry name"), whatever keepCase is;
 * - fully qualified type names, files named by their path and their imports listed.
 * Returns a package definition whose only use is `new ReflectionService(...)`:
 * it reads nothing but `fileDescriptorProtos`.
 */
export function reflectionDefinition(sources: ProtoSource[], includeDirs: string[] = []): protoLoader.PackageDefinition {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => (isAbsolute(target) ? target : (includeDirs.map((d) => join(d, target)).find((p) => existsSync(p)) ?? protobuf.util.path.resolve(origin, target)));
  for (const s of sources) root.loadSync(s.path, { keepCase: true, alternateCommentMode: true });
  root.resolveAll();
  const names = new Map(sources.map((s) => [resolve(s.path), s.name]));
  const nameOf = (obj: protobuf.ReflectionObject): string | undefined => (obj.filename ? names.get(resolve(obj.filename)) : undefined);
  const set = (root as unknown as { toDescriptor(edition: string): IFileDescriptorSet }).toDescriptor('proto3');
  const files = set.file.map((file) => describeFile(root, file, nameOf));
  const encoded = files.map((f) => Buffer.from(descriptor.FileDescriptorProto.encode(f).finish()));
  return { reflection: { format: 'Protocol Buffer 3 FileDescriptorProto', type: {}, fileDescriptorProtos: encoded } } as unknown as protoLoader.PackageDefinition;
}

function describeFile(root: protobuf.Root, file: IFileDescriptorProto, nameOf: (obj: protobuf.ReflectionObject) => string | undefined): IFileDescriptorProto {
  const pkg = root.lookup(file.package ?? '');
  const first = pkg instanceof protobuf.Namespace ? pkg.nestedArray.find((n) => nameOf(n) !== undefined) : undefined;
  const name = (first && nameOf(first)) ?? file.name;
  const locations: Location[] = [];
  const dependencies = new Set<string>();
  const ctx: Context = {
    note: (path, comment) => {
      if (comment) locations.push({ path, span: [0, 0, 0], leadingComments: asProtocComment(comment) });
    },
    refer: (target) => {
      const other = nameOf(target);
      if (other && other !== name) dependencies.add(other);
      return target.fullName;
    },
  };
  const lookup = (n: string | null | undefined) => root.lookup(`${file.package}.${n}`);
  file.messageType?.forEach((m, i) => describeMessage(m, lookup(m.name), [FILE_MESSAGE, i], ctx));
  file.enumType?.forEach((e, i) => describeEnum(e, lookup(e.name), [FILE_ENUM, i], ctx));
  file.service?.forEach((s, i) => describeService(s, lookup(s.name), [FILE_SERVICE, i], ctx));
  return { ...file, name, dependency: [...dependencies], sourceCodeInfo: { location: locations } };
}

interface Context {
  /** Records an element's comment at its SourceCodeInfo path. */
  note(path: number[], comment: string | null): void;
  /** The fully qualified name of a referenced type, noting its file as a dependency. */
  refer(target: protobuf.ReflectionObject): string;
}

function describeMessage(d: IDescriptorProto, type: protobuf.ReflectionObject | null, path: number[], ctx: Context): void {
  if (!(type instanceof protobuf.Type)) return;
  ctx.note(path, type.comment);
  d.field?.forEach((f, j) => {
    const field = type.fields[f.name ?? ''];
    if (!field) return;
    ctx.note([...path, MESSAGE_FIELD, j], field.comment);
    if (field.map) {
      const entry = d.nestedType?.find((n) => n.options?.mapEntry && n.name === f.typeName);
      if (entry) {
        entry.name = mapEntryName(field.name);
        const value = entry.field?.find((v) => v.name === 'value');
        if (value?.typeName && field.resolvedType) value.typeName = ctx.refer(field.resolvedType);
      }
      f.typeName = `${type.fullName}.${mapEntryName(field.name)}`;
    } else if (f.typeName && field.resolvedType) {
      f.typeName = ctx.refer(field.resolvedType);
    }
  });
  d.nestedType?.forEach((n, k) => {
    if (!n.options?.mapEntry) describeMessage(n, type.nested?.[n.name ?? ''] ?? null, [...path, MESSAGE_NESTED, k], ctx);
  });
  d.enumType?.forEach((e, k) => describeEnum(e, type.nested?.[e.name ?? ''] ?? null, [...path, MESSAGE_ENUM, k], ctx));
  d.oneofDecl?.forEach((o, k) => ctx.note([...path, MESSAGE_ONEOF, k], type.oneofs?.[o.name ?? '']?.comment ?? null));
}

function describeEnum(d: IEnumDescriptorProto, type: protobuf.ReflectionObject | null, path: number[], ctx: Context): void {
  if (!(type instanceof protobuf.Enum)) return;
  ctx.note(path, type.comment);
  d.value?.forEach((v, j) => ctx.note([...path, ENUM_VALUE, j], type.comments[v.name ?? ''] ?? null));
}

function describeService(d: IServiceDescriptorProto, service: protobuf.ReflectionObject | null, path: number[], ctx: Context): void {
  if (!(service instanceof protobuf.Service)) return;
  ctx.note(path, service.comment);
  d.method?.forEach((m, j) => {
    const method = service.methods[m.name ?? ''];
    if (!method) return;
    ctx.note([...path, SERVICE_METHOD, j], method.comment);
    if (method.resolvedRequestType) m.inputType = ctx.refer(method.resolvedRequestType);
    if (method.resolvedResponseType) m.outputType = ctx.refer(method.resolvedResponseType);
  });
}

/** The implicit map entry name protoc gives a map field: `statuses` → `StatusesEntry`, `by_agency` → `ByAgencyEntry`. */
export function mapEntryName(field: string): string {
  return `${field.replace(/(?:^|_)([a-z0-9]?)/gi, (_, c: string) => c.toUpperCase())}Entry`;
}

/** protoc's form of a comment: each line keeps the space after `//` and ends with a newline. */
function asProtocComment(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? ` ${line}\n` : '\n'))
    .join('');
}
