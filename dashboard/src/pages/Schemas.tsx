export default function SchemasPage() { return <div>Schemas</div>; }
