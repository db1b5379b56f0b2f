export default function PipelinePage() { return <div>Pipeline</div>; }
