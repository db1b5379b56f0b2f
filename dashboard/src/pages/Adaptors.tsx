export default function AdaptorsPage() { return <div>Adaptors</div>; }
