export default function OverviewPage() { return <div>Overview</div>; }
